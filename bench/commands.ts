import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Invocation, Services } from '../src/chat/context.ts';
import { defineCommand } from '../src/chat/define-command.ts';
import { loadCommands } from '../src/chat/load-commands.ts';
import { createRegistry } from '../src/chat/registry.ts';
import { createContentLinks } from '../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../src/content/load-course.ts';
import { fixedClock } from '../src/core/clock.ts';
import { compareStandings, scoreLearner, scoringPlan } from '../src/core/scoring.ts';
import { createLogger } from '../src/logger.ts';
import { openStore } from '../src/store/store.ts';
import { measure, printTable, type Timing } from './measure.ts';

/**
 * How long a command takes from invocation to Reply, with cohorts of 1,000 and 10,000 learners who have passed up to
 * every exercise: the part of Discord's 3-second window that is ours, and how it grows. Baselines in the same run:
 * a command that does nothing (registry, cohort and learner lookup), and ranking the cohort from every pass, the
 * straightforward way the stored board replaces.
 */
export async function benchCommands(): Promise<void> {
  const sizes = (process.env.BENCH_COMMAND_LEARNERS ?? '1000,10000').split(',').map(Number);
  for (const learners of sizes) await benchAt(learners);
}

async function benchAt(learnerCount: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-'));
  const store = openStore(path.join(dir, 'bench.db'));
  const course = loadCourse();
  const now = new Date('2027-03-12T12:00:00Z');
  const services: Services = {
    store,
    course,
    clock: fixedClock(now),
    logger: createLogger('silent'),
    links: createContentLinks(DEFAULT_CONTENT_DIR, { contentBaseUrl: 'https://example.test/content' }),
    outbox: { wake: () => {} },
  };
  const cohort = store.cohorts.create(
    { platform: 'discord', workspaceId: 'g', channelId: 'c', name: 'Bench', startDate: '2026-12-07', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
    now,
  );
  const exercises = course.modules.flatMap((m) => m.exercises.map((e) => e.id));
  store.transaction(() => {
    for (let i = 0; i < learnerCount; i++) {
      const { learner } = store.learners.join(cohort.id, `user-${i}`, `Learner ${i}`, now);
      // From none to every exercise; first passes spread over the weeks so bonuses and streaks vary.
      for (const [k, exerciseId] of exercises.slice(0, i % (exercises.length + 1)).entries()) {
        const at = new Date(Date.UTC(2026, 11, 8 + k * 5 + (i % 4), 10));
        store.results.record({ learnerId: learner.id, exerciseId, status: 'passed', commit: 'abc', detail: null }, at);
      }
    }
  });

  const noop = defineCommand({ name: 'noop', description: 'Baseline', run: () => ({ private: true }) });
  const registry = createRegistry([...(await loadCommands()), noop]);
  const asker = `user-${Math.floor(learnerCount / 2)}`;
  const ask = (command: string, text = ''): Invocation => ({
    id: 'bench',
    platform: 'discord',
    workspaceId: 'g',
    channelId: 'c',
    user: { id: asker, displayName: 'Asker' },
    command,
    args: { kind: 'text', text },
  });
  // The first read scores everyone once (after this, only learners with new passes are scored again).
  const first = performance.now();
  await registry.execute(ask('leaderboard'), services);
  const firstMs = performance.now() - first;

  const plan = scoringPlan(course, cohort);
  const rankFromEveryPass = () => {
    const passes = store.results.passesInCohort(cohort.id);
    const byLearner = new Map<number, typeof passes>();
    for (const pass of passes) byLearner.set(pass.learnerId, [...(byLearner.get(pass.learnerId) ?? []), pass]);
    return store.learners
      .listInCohort(cohort.id)
      .map((l) => ({ learnerId: l.id, ...scoreLearner(byLearner.get(l.id) ?? [], plan) }))
      .sort(compareStandings);
  };
  const runs = learnerCount > 2000 ? 2000 : 5000;
  const rows: Timing[] = [
    await measure('baseline: /noop (registry, cohort and learner lookup)', runs, () => registry.execute(ask('noop'), services)),
    await measure('baseline: rank from every pass (read all, score, sort)', learnerCount > 2000 ? 10 : 50, rankFromEveryPass),
    await measure('/leaderboard', runs, () => registry.execute(ask('leaderboard'), services)),
    await measure('/progress', runs, () => registry.execute(ask('progress'), services)),
    await measure('/next-module', runs, () => registry.execute(ask('next-module'), services)),
    await measure('/module key value', runs, () => registry.execute(ask('module', 'key value'), services)),
    await measure('/schedule', runs, () => registry.execute(ask('schedule'), services)),
    await measure('/help', runs, () => registry.execute(ask('help'), services)),
  ];
  printTable(`Commands, invocation → Reply (${learnerCount.toLocaleString('en')} learners × ${exercises.length} exercises; first /leaderboard, scoring everyone: ${firstMs.toFixed(0)} ms)`, rows);
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
