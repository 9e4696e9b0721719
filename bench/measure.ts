import { performance } from 'node:perf_hooks';

export interface Timing {
  label: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

/** Runs `work` `runs` times after a warm-up and reports latency percentiles and throughput. */
export async function measure(label: string, runs: number, work: () => unknown): Promise<Timing> {
  for (let i = 0; i < Math.min(50, runs); i++) await work();
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { label, runs, p50Ms: at(0.5), p99Ms: at(0.99), perSecond: (runs / total) * 1000 };
}

export function printTable(title: string, rows: Timing[]): void {
  const lines = [
    `\n${title}`,
    `| case | runs | p50 ms | p99 ms | per second |`,
    `| --- | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${r.label} | ${r.runs} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${Math.round(r.perSecond)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
