import { formatInZone } from '../../src/core/calendar.ts';
import { moduleLabel } from '../../src/core/course.ts';
import { cohortWeek, slotTime } from '../../src/core/schedule.ts';
import { defineSubcommand } from '../../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../../src/chat/guards.ts';
import type { Reply } from '../../src/chat/reply.ts';
import { windowsFor } from '../../src/chat/views/cohort-progress.ts';

/** /cohort skip: a week off (a holiday): the next weekly slot is skipped and every later date moves a week. */
export const skip = defineSubcommand({
  description: 'Take a week off: the rest of the schedule (releases and due dates) moves one week later',
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    windowsFor(cohort, ctx.services); // refuses a cohort whose calendar cannot be used
    // The next slot still to come (slots before the current week's have happened); one already skipped counts on.
    let slot = cohortWeek(cohort, ctx.now);
    while (cohort.skippedSlots?.includes(slot) || slotTime(cohort, slot).getTime() <= ctx.now.getTime()) slot += 1;
    ctx.services.store.cohorts.skipSlot(cohort, slot);
    const moved = ctx.services.store.cohorts.findById(cohort.id) ?? cohort;
    const next = windowsFor(moved, ctx.services).find((w) => w.releaseAt.getTime() > ctx.now.getTime());
    const current = windowsFor(moved, ctx.services).find((w) => w.releaseAt.getTime() <= ctx.now.getTime() && w.dueAt.getTime() > ctx.now.getTime());
    const lines = [
      `No module is released or due in the week of ${formatInZone(slotTime(cohort, slot), cohort.timezone)}.`,
      current ? `${moduleLabel(current.module)} is now due ${formatInZone(current.dueAt, cohort.timezone)}.` : undefined,
      next ? `${moduleLabel(next.module)} now comes out ${formatInZone(next.releaseAt, cohort.timezone)}.` : undefined,
    ].filter(Boolean);
    return {
      title: `${cohort.name} takes a week off`,
      text: lines.join('\n'),
      footer: 'Posts already made stay. /schedule shows the new dates.',
      tone: 'success',
      private: true,
    };
  },
});
