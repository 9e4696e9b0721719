import { formatDayInZone, weekdayName } from '../src/core/calendar.ts';
import { moduleLabel } from '../src/core/course.ts';
import { cohortWeek, currentWindow, totalWeeks } from '../src/core/schedule.ts';
import { defineCommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort } from '../src/chat/guards.ts';
import { windowsFor } from '../src/chat/views/cohort-progress.ts';

export default defineCommand({
  name: 'schedule',
  description: "The cohort's timetable: when each module is released and due",
  guards: [inCohort],
  run(ctx) {
    const cohort = requireCohort(ctx);
    const windows = windowsFor(cohort, ctx.services);
    const current = currentWindow(windows, ctx.now);
    const week = cohortWeek(cohort, ctx.now);
    const weeks = totalWeeks(ctx.services.course);
    const when =
      week === 0 ? 'The cohort has not started yet.' : week > weeks ? 'The course is over: every module is out.' : `This is week ${week} of ${weeks}.`;
    return {
      title: `${cohort.name} — schedule`,
      text: `${when} Modules are posted on ${weekdayName(cohort.postWeekday)}s at ${cohort.postTime} (${cohort.timezone}).${
        cohort.status === 'paused' ? '\nThe cohort is paused: no posts go out until an organiser resumes it.' : ''
      }`,
      fields: windows.map((window) => ({
        name: `${window === current ? '▶ ' : ''}${moduleLabel(window.module)}`,
        value: `${formatDayInZone(window.releaseAt, cohort.timezone)} → ${formatDayInZone(window.dueAt, cohort.timezone)} · ${window.module.weeks} wk`,
      })),
      private: true,
    };
  },
});
