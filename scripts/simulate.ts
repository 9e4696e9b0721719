import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { renderText } from '../src/adapters/console/render-text.ts';
import { replySchema } from '../src/chat/reply-schema.ts';
import { scheduledMessages } from '../src/chat/views/scheduled-messages.ts';
import { createContentLinks } from '../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../src/content/load-course.ts';
import type { Clock } from '../src/core/clock.ts';
import { createLogger } from '../src/logger.ts';
import { createOutboxWorker } from '../src/outbox/outbox-worker.ts';
import { createScheduler } from '../src/scheduler/scheduler.ts';
import { openStore } from '../src/store/store.ts';

/**
 * `npm run simulate -- --weeks 3`: a demo cohort with a few simulated learners on a fast clock, printing every channel
 * post and direct message the bot would send, so an organiser sees the rhythm before inviting anyone. Nothing leaves
 * the machine: a temporary database, the terminal as the channel, an hour of cohort time per step.
 */
const { values } = parseArgs({ options: { weeks: { type: 'string', default: '3' }, timezone: { type: 'string', default: 'Europe/Berlin' }, seed: { type: 'string', default: '1' } } });
const weeks = Number(values.weeks);
if (!Number.isInteger(weeks) || weeks < 1 || weeks > 60) {
  console.error('simulate: --weeks must be a whole number from 1 to 60');
  process.exit(2);
}
const zone = values.timezone ?? 'Europe/Berlin';
if (!DateTime.local().setZone(zone).isValid) {
  console.error(`simulate: --timezone "${zone}" is not a timezone I know (e.g. Europe/Berlin)`);
  process.exit(2);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-simulate-'));
const store = openStore(path.join(dir, 'simulate.db'));
const course = loadCourse();
const start = DateTime.now().setZone(zone).startOf('week').plus({ weeks: 1 });
let now = start.minus({ hours: 1 }).toJSDate();
const clock: Clock = { now: () => now };
const logger = createLogger('silent');
const cohort = store.cohorts.create(
  { platform: 'console', workspaceId: 'local', channelId: 'terminal', name: 'Demo cohort', startDate: start.toISODate() ?? '', timezone: zone, postWeekday: 1, postTime: '09:00' },
  now,
);
const names = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret'];
const learners = names.map((name, i) => {
  const { learner } = store.learners.join(cohort.id, `learner-${i}`, name, now);
  store.buddies.setOptIn(learner.id, i % 3 !== 2);
  return learner;
});
// Each learner's pace: the chance, each hour, of passing their next exercise (Margaret goes quiet).
const pace = [0.03, 0.02, 0.012, 0.008, 0.004, 0];
let state = (Number(values.seed) || 1) >>> 0;
/** mulberry32: a small seeded generator, so the same seed tells the same story. */
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const exercises = course.modules.flatMap((m) => m.exercises.map((e) => e.id));
const done = learners.map(() => 0);

const when = () => DateTime.fromJSDate(now, { zone }).toFormat('ccc d LLL HH:mm');
const outbox = createOutboxWorker({
  store,
  clock,
  logger,
  deliverers: {
    console: async ({ payload, recipientUserId }) => {
      const to = recipientUserId ? `direct message to ${learners.find((l) => l.platformUserId === recipientUserId)?.displayName}` : `#${cohort.name}`;
      process.stdout.write(`\n── ${when()} · ${to} ──\n${renderText(replySchema.parse(payload))}\n`);
      return undefined;
    },
  },
});
store.cohorts.setBoardEnabled(cohort.id, false);
const scheduler = createScheduler({ store, course, clock, logger, ...scheduledMessages(course, createContentLinks(DEFAULT_CONTENT_DIR, {})), onPosted: () => outbox.wake() });

process.stdout.write(`Simulating ${weeks} week${weeks === 1 ? '' : 's'} of "${cohort.name}" (${zone}, posts Mondays 09:00) with ${names.join(', ')}.\n`);
const end = start.plus({ weeks }).toMillis();
while (now.getTime() < end) {
  now = new Date(now.getTime() + 3600_000);
  learners.forEach((learner, i) => {
    const next = exercises[done[i] ?? 0];
    if (next && random() < (pace[i] ?? 0)) {
      store.results.record({ learnerId: learner.id, exerciseId: next, status: 'passed', commit: `c${now.getTime()}`, detail: null }, now);
      store.syncState.saw(learner.id, `c${now.getTime()}`, null, now);
      done[i] = (done[i] ?? 0) + 1;
    }
  });
  scheduler.tick();
  await outbox.drain();
}
store.close();
rmSync(dir, { recursive: true, force: true });
