import { githubWiring } from '../src/app.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../src/content/load-course.ts';
import { systemClock } from '../src/core/clock.ts';
import { createGithubClient } from '../src/github/client.ts';
import { createGithubService } from '../src/github/github-service.ts';
import { createLogger } from '../src/logger.ts';
import { openStore } from '../src/store/store.ts';
import { FakeGithub } from '../test/fakes/github/fake-github.ts';
import { starterFiles } from '../test/helpers/github-fixture.ts';

/**
 * `bench/github-sync`: syncing N learners' repos from a fake GitHub that takes 50 ms per request, ours against a
 * naive baseline in the same run (sequential REST, three calls per learner: repo, branch head, check runs).
 * The naive sync makes the same calls whatever changed, so it is measured once and shown on every row.
 */
interface Figures {
  requests: number;
  points: number;
  wallMs: number;
}

const LEARNERS = Number(process.env.BENCH_GITHUB_LEARNERS ?? 1000);
const LATENCY_MS = 50;

export async function benchGithubSync(): Promise<void> {
  const course = loadCourse();
  const checks = course.modules.flatMap((m) => m.exercises.map((e) => e.check));
  const fake = await FakeGithub.start('ghp_bench', { limit: 1_000_000 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-'));
  const store = openStore(path.join(dir, 'bench.db'));
  const logger = createLogger('silent');
  try {
    const cohort = store.cohorts.create(
      { platform: 'console', workspaceId: 'local', channelId: 'bench', name: 'Bench', startDate: '2026-01-05', timezone: 'UTC', postWeekday: 1, postTime: '09:00' },
      new Date(),
    );
    const files = starterFiles(course);
    const repos = Array.from({ length: LEARNERS }, (_, i) => `learner${i}/rust-course`);
    for (const [i, fullName] of repos.entries()) {
      const [owner = '', name = ''] = fullName.split('/');
      fake.addRepo({ owner, name, defaultBranch: 'main', files });
      // Everyone is part-way through: a mix of passing and failing jobs.
      checks.forEach((check, j) => fake.addCheckRun(fullName, { name: check, conclusion: (i + j) % 3 === 0 ? 'failure' : 'success' }));
      const { learner } = store.learners.join(cohort.id, `u${i}`, `Learner ${i}`, new Date());
      store.learners.linkGithub(learner.id, owner, fullName, new Date());
    }
    fake.latencyMs = LATENCY_MS;

    const measure = async (work: () => Promise<unknown>): Promise<Figures> => {
      const requests = fake.requests.length;
      const points = fake.used;
      const t0 = performance.now();
      await work();
      return { requests: fake.requests.length - requests, points: fake.used - points, wallMs: performance.now() - t0 };
    };

    const octokit = createGithubClient({ token: fake.token, apiUrl: fake.apiUrl, logger });
    const naive = await measure(async () => {
      for (const fullName of repos) {
        const [owner = '', repo = ''] = fullName.split('/');
        const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
        const branch = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { owner, repo, branch: data.default_branch });
        await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { owner, repo, ref: branch.data.commit.sha });
      }
    });

    const github = createGithubService({
      config: loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl }).github,
      store,
      course,
      ...githubWiring(course, DEFAULT_CONTENT_DIR, store),
      clock: systemClock,
      logger,
      onCelebrated: () => {},
    });
    if (!github) throw new Error('no GitHub service');
    const everything = await measure(() => github.pollOnce());
    for (const fullName of repos.filter((_, i) => i % 10 === 0)) {
      fake.push(fullName, { 'exercises/notes.md': `${Math.random()}` });
      for (const check of checks) fake.addCheckRun(fullName, { name: check });
    }
    const tenth = await measure(() => github.pollOnce());
    const nothing = await measure(() => github.pollOnce());

    const row = (label: string, ours: Figures) =>
      `| ${label} | ${ours.requests} | ${ours.points} | ${(ours.wallMs / 1000).toFixed(2)} | ${naive.requests} | ${naive.points} | ${(naive.wallMs / 1000).toFixed(1)} | ${(naive.points / Math.max(ours.points, 1)).toFixed(0)}× | ${(naive.wallMs / ours.wallMs).toFixed(0)}× |`;
    process.stdout.write(
      [
        `\nGitHub sync: ${LEARNERS} learners × ${checks.length} exercises, ${LATENCY_MS} ms per request (ours: GraphQL heads, then snapshots of changed repos; naive: 3 sequential REST calls per learner)`,
        '| case | ours requests | ours points | ours wall s | naive requests | naive points | naive wall s | fewer points | less wall time |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        row('everything changed', everything),
        row('10% changed', tenth),
        row('nothing changed', nothing),
        `unchanged re-sync: ${((nothing.points / naive.points) * 100).toFixed(2)}% of naive's points`,
        '',
      ].join('\n'),
    );
  } finally {
    store.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchGithubSync();
