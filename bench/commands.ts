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
import { createLogger } from '../src/logger.ts';
import { openStore } from '../src/store/store.ts';
import { measure, printTable } from './measure.ts';

/**
 * How long a command takes from invocation to Reply, with a cohort of 1,000 learners who each have results:
 * the part of Discord's 3-second window that is ours. Baseline: a command that does nothing, through the same
 * registry, so the figure for each command is its own work.
 */
export async function benchCommands(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-'));
  const store = openStore(path.join(dir, 'bench.db'));
  const course = loadCourse();
  const now = new Date('2027-01-12T12:00:00Z');
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
  const exercises = course.modules.slice(0, 4).flatMap((m) => m.exercises.map((e) => e.id));
  store.transaction(() => {
    for (let i = 0; i < 1000; i++) {
      const { learner } = store.learners.join(cohort.id, `user-${i}`, `Learner ${i}`, now);
      for (const exerciseId of exercises.slice(0, i % exercises.length)) {
        store.results.record({ learnerId: learner.id, exerciseId, status: 'passed', commit: 'abc', detail: null }, now);
      }
    }
  });

  const noop = defineCommand({ name: 'noop', description: 'Baseline', run: () => ({ private: true }) });
  const registry = createRegistry([...(await loadCommands()), noop]);
  const ask = (command: string, text = ''): Invocation => ({
    id: 'bench',
    platform: 'discord',
    workspaceId: 'g',
    channelId: 'c',
    user: { id: 'user-500', displayName: 'Learner 500' },
    command,
    args: { kind: 'text', text },
  });

  const rows = [
    await measure('baseline: /noop (registry, cohort and learner lookup)', 5000, () => registry.execute(ask('noop'), services)),
    await measure('/next-module', 5000, () => registry.execute(ask('next-module'), services)),
    await measure('/module key value', 5000, () => registry.execute(ask('module', 'key value'), services)),
    await measure('/schedule', 5000, () => registry.execute(ask('schedule'), services)),
    await measure('/help', 5000, () => registry.execute(ask('help'), services)),
  ];
  printTable('Commands, invocation → Reply (1,000 learners in the cohort)', rows);
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
