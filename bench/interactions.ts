import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCourse } from '../src/content/load-course.ts';
import { openStore } from '../src/store/store.ts';
import { FakeDiscord, FAKE_IDS } from '../test/fakes/discord/fake-discord.ts';
import { freePort } from '../test/helpers/free-port.ts';
import { cleanEnv } from '../test/helpers/clean-env.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const LEARNERS = Number(process.env.BENCH_INTERACTION_LEARNERS ?? 10_000);
const CONCURRENT = 100;
const ROUNDS = 10;
const DEFERRED = 5;

/**
 * The real bot process on the fake Discord: a cohort of 10,000 learners who have passed from none to every
 * exercise, and bursts of 100 interactions at once through the gateway. Latency is from the INTERACTION_CREATE
 * leaving the fake gateway to the reply reaching the fake REST API (the callback, or the edit of a deferred one),
 * as a member would wait for it; RSS is the bot process's, read from /proc. Baseline in the same run: bursts of
 * `/help`, which reads no cohort data.
 */
export async function benchInteractions(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-interactions-'));
  const databasePath = path.join(dir, 'bench.db');
  const members = seed(databasePath);
  const fake = await FakeDiscord.start();
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: the bot writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const bot = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
    cwd: REPO,
    env: {
      ...cleanEnv(),
      DATABASE_PATH: databasePath,
      PORT: String(port),
      CONTENT_BASE_URL: 'https://example.test/content',
      LOG_LEVEL: 'warn',
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
      DISCORD_GUILD_ID: FAKE_IDS.guildId,
      DISCORD_API_URL: fake.apiUrl,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await ready(bot, port);
    const burst = async (commands: readonly string[]): Promise<number[]> => {
      const sent = Array.from({ length: CONCURRENT }, (_, i) => {
        const user = { id: members[(i * 97) % members.length]!, username: `learner${i}`, permissions: '2048' };
        const at = performance.now();
        return { at, token: fake.sendInteraction({ user, command: commands[i % commands.length]! }) };
      });
      const answered = await repliesOf(fake, sent.map((s) => s.token));
      return sent.map(({ at, token }) => (answered.get(token) ?? at) - at);
    };
    await burst(['help', 'leaderboard', 'next-module']); // warm-up: modules loaded, the board scored once
    const rows: { label: string; samples: number[] }[] = [];
    for (const [label, commands] of [
      ['baseline: /help', ['help']],
      ['/leaderboard', ['leaderboard']],
      ['/next-module', ['next-module']],
      ['/leaderboard and /next-module mixed', ['leaderboard', 'next-module']],
    ] as const) {
      const samples: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) samples.push(...(await burst(commands)));
      rows.push({ label, samples });
    }
    const memory = rssOf(bot.pid ?? 0);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    const heapMb = (name: string) => Math.round(Number(new RegExp(`^cohort_bot_nodejs_heap_size_${name}_bytes (\\S+)`, 'm').exec(metrics)?.[1] ?? 0) / 1024 / 1024);
    const lines = [
      `\nInteractions through the fake Discord gateway, ${CONCURRENT} at once × ${ROUNDS} bursts each (${LEARNERS.toLocaleString('en')} learners; bot RSS ${memory.rss} MB now, ${memory.peak} MB at most; V8 heap ${heapMb('used')} MB used of ${heapMb('total')} MB)`,
      '| case | interactions | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map(({ label, samples }) => {
        const sorted = [...samples].sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
        return `| ${label} | ${sorted.length} | ${at(0.5).toFixed(1)} | ${at(0.99).toFixed(1)} | ${(sorted.at(-1) ?? 0).toFixed(1)} |`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    bot.kill('SIGTERM');
    if (bot.exitCode === null) await once(bot, 'close');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Discord cohort in the fake's channel; learner i has passed the first i mod (n+1) exercises. Returns their ids. */
function seed(databasePath: string): string[] {
  const store = openStore(databasePath);
  const course = loadCourse();
  const now = new Date();
  const cohort = store.cohorts.create(
    { platform: 'discord', workspaceId: FAKE_IDS.guildId, channelId: FAKE_IDS.channelId, name: 'Bench', startDate: '2026-11-02', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
    now,
  );
  const exercises = course.modules.flatMap((m) => m.exercises.map((e) => e.id));
  const ids: string[] = [];
  store.transaction(() => {
    for (let i = 0; i < LEARNERS; i++) {
      const id = `1${String(i).padStart(18, '0')}`;
      ids.push(id);
      const { learner } = store.learners.join(cohort.id, id, `Learner ${i}`, now);
      for (const [k, exerciseId] of exercises.slice(0, i % (exercises.length + 1)).entries()) {
        store.results.record({ learnerId: learner.id, exerciseId, status: 'passed', commit: 'abc', detail: null }, new Date(Date.UTC(2026, 10, 3 + k * 2, 10)));
      }
    }
  });
  store.close();
  return ids;
}

async function ready(bot: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (bot.exitCode !== null) throw new Error(`the bot exited with ${bot.exitCode} while starting`);
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) return;
    await sleep(50);
  }
  throw new Error('the bot was not ready within two minutes');
}

/** When the member saw the answer: the callback, or for a deferred one (type 5) the edit that follows it. */
function answeredAt(fake: FakeDiscord, token: string): number | undefined {
  const log = fake.responses.get(token) ?? [];
  const first = log[0];
  if (first && (first.kind !== 'callback' || first.body.type !== DEFERRED)) return first.at;
  return log.find((r) => r.kind === 'edit')?.at;
}

/**
 * Waits for every answer, woken by the fake's own 'response' event: polling on a timer would load the event loop
 * that also serves the fake's REST API, and add its delay to the figures.
 */
function repliesOf(fake: FakeDiscord, tokens: readonly string[]): Promise<Map<string, number>> {
  return new Promise((resolve) => {
    const answered = new Map<string, number>();
    const look = () => {
      for (const token of tokens) {
        const at = answered.has(token) ? undefined : answeredAt(fake, token);
        if (at !== undefined) answered.set(token, at);
      }
      if (answered.size < tokens.length) return;
      fake.off('response', look);
      resolve(answered);
    };
    fake.on('response', look);
    look();
  });
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}
