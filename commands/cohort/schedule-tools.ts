import { formatInZone, weekdayName } from '../../src/core/calendar.ts';
import { DEFAULT_COHORT_SETTINGS, type CohortSettings } from '../../src/core/cohort.ts';
import { moduleLabel } from '../../src/core/course.ts';
import { cohortWeek, slotTime } from '../../src/core/schedule.ts';
import { defineSubcommand } from '../../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../../src/chat/guards.ts';
import { choiceOption, integerOption, postTimeOption } from '../../src/chat/options.ts';
import type { Reply } from '../../src/chat/reply.ts';
import { windowsFor } from '../../src/chat/views/cohort-progress.ts';

/** /cohort skip and settings: the cohort's calendar and rhythm. */

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

/** /cohort settings: the rhythm of reminders, digest and nudges; with no option, what they are now. */
export const settings = defineSubcommand({
  description: 'Reminder lead time, weekly digest (on/off, day and time) and nudge thresholds; alone, shows them',
  options: {
    'reminder-hours': integerOption({ description: 'Hours before a module is due that its reminder goes out (default 48)', min: 1, max: 336, placeholder: 'hours' }),
    digest: choiceOption({ description: 'The weekly digest: on or off', choices: ['on', 'off'] }),
    'digest-time': postTimeOption({ description: 'When the digest goes out, e.g. "Fri 17:00" (the default)' }),
    'inactive-days': integerOption({ description: 'Quiet days before a learner is nudged (default 7)', min: 2, max: 60, placeholder: 'days' }),
    'stuck-commits': integerOption({ description: 'Failing commits in a row before a learner is nudged (default 3)', min: 2, max: 20, placeholder: 'commits' }),
  },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const current = cohort.settings ?? DEFAULT_COHORT_SETTINGS;
    const options = ctx.options;
    const next: CohortSettings = {
      reminderLeadHours: options['reminder-hours'] ?? current.reminderLeadHours,
      digest: {
        enabled: options.digest === undefined ? current.digest.enabled : options.digest === 'on',
        weekday: options['digest-time']?.weekday ?? current.digest.weekday,
        time: options['digest-time']?.time ?? current.digest.time,
      },
      nudges: { inactiveDays: options['inactive-days'] ?? current.nudges.inactiveDays, stuckCommits: options['stuck-commits'] ?? current.nudges.stuckCommits },
    };
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    if (changed) ctx.services.store.cohorts.saveSettings(cohort.id, next);
    return {
      title: changed ? `${cohort.name}: settings saved` : `${cohort.name}: settings`,
      fields: [
        { name: 'Due-date reminders', value: `${next.reminderLeadHours} h before each module is due` },
        { name: 'Weekly digest', value: next.digest.enabled ? `${weekdayName(next.digest.weekday)}s at ${next.digest.time} (${cohort.timezone})` : 'off' },
        { name: 'Nudges', value: `after ${next.nudges.inactiveDays} quiet days, or ${next.nudges.stuckCommits} failing commits in a row` },
      ],
      footer: 'Change one with e.g. /cohort settings reminder-hours:24 or digest-time:"Sun 18:00".',
      tone: changed ? 'success' : 'info',
      private: true,
    };
  },
});
