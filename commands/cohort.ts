import { formatDayInZone, formatInZone, weekdayName } from '../src/core/calendar.ts';
import type { Cohort, Learner } from '../src/core/cohort.ts';
import { assignmentPeriod } from '../src/core/assignment-posts.ts';
import { HINTS_PER_EXERCISE, moduleLabel } from '../src/core/course.ts';
import { cohortWeek, currentWindow, totalWeeks } from '../src/core/schedule.ts';
import { defineCommandGroup, defineSubcommand } from '../src/chat/define-command.ts';
import { inCohort, requireCohort, requireGithub } from '../src/chat/guards.ts';
import { channelOption, dateOption, postTimeOption, stringOption, timezoneOption, userOption, type OptionSpec } from '../src/chat/options.ts';
import { nudgeFor } from '../src/core/nudges.ts';
import { err, ok } from '../src/core/result.ts';
import type { Reply } from '../src/chat/reply.ts';
import type { Services } from '../src/chat/context.ts';
import { UserError } from '../src/chat/user-error.ts';
import { assignmentReply } from '../src/chat/views/assignment.ts';
import { windowsFor } from '../src/chat/views/cohort-progress.ts';
import { board, exclude, exportCsv, include } from './cohort/leaderboard-tools.ts';
import { settings, skip } from './cohort/schedule-tools.ts';
import { quoted } from '../src/core/quoted.ts';

const create = defineSubcommand({
  description: 'Set up a cohort in a channel of this server or workspace',
  options: {
    name: stringOption({ description: 'The cohort name, e.g. Winter 2026', required: true, maxLength: 80 }),
    start: dateOption({ description: 'First day, YYYY-MM-DD; module 01 is posted at the first post time from then', required: true }),
    timezone: timezoneOption({ description: 'Where the cohort lives, e.g. Europe/Berlin', required: true }),
    channel: channelOption({ description: 'The cohort channel (default: this one)' }),
    'post-time': postTimeOption({ description: 'Weekly post day and time, e.g. "Mon 09:00" (the default)' }),
  },
  run(ctx): Reply {
    const { name, start, timezone, channel, 'post-time': postTime } = ctx.options;
    const { invocation, services } = ctx;
    const channelId = channel ?? invocation.channelId;
    const existing = services.store.cohorts.findByChannel(invocation.platform, invocation.workspaceId, channelId);
    if (existing) {
      throw new UserError('cohort-exists', `That channel already has a cohort: ${existing.name}.`, 'Pick another channel; each cohort has its own.');
    }
    const cohort = services.store.cohorts.create(
      {
        platform: invocation.platform,
        workspaceId: invocation.workspaceId,
        channelId,
        name,
        startDate: start,
        timezone,
        postWeekday: postTime?.weekday ?? 1,
        postTime: postTime?.time ?? '09:00',
      },
      ctx.now,
    );
    services.store.organisers.add(cohort.id, invocation.user.id, null, ctx.now);
    const first = windowsFor(cohort, services)[0];
    return {
      title: `Cohort ${cohort.name} is set up`,
      text: `Modules are posted on ${weekdayName(cohort.postWeekday)}s at ${cohort.postTime} (${cohort.timezone}).`,
      fields: first ? [{ name: `First post: ${moduleLabel(first.module)}`, value: formatInZone(first.releaseAt, cohort.timezone) }] : [],
      footer: 'Learners type /join in the cohort channel. /cohort status shows how it is going.',
      tone: 'success',
      private: true,
    };
  },
});

const status = defineSubcommand({
  description: "This channel's cohort at a glance, or the cohorts of this server",
  run(ctx): Reply {
    const { services, invocation } = ctx;
    if (!ctx.cohort) {
      const cohorts = services.store.cohorts.listInWorkspace(invocation.platform, invocation.workspaceId);
      return {
        title: cohorts.length === 0 ? 'No cohorts here yet' : 'Cohorts here',
        text: cohorts.length === 0 ? 'Set one up with /cohort create.' : 'Run /cohort status in a cohort channel for its details.',
        fields: cohorts.map((c) => ({ name: c.name, value: `${c.status}, started ${c.startDate}` })),
        private: true,
      };
    }
    return statusReply(ctx.cohort, ctx.now, services);
  },
});

function statusReply(cohort: Cohort, now: Date, services: Services): Reply {
  const learners = services.store.learners.listInCohort(cohort.id);
  const linked = learners.filter((l) => l.githubVerifiedAt !== null).length;
  const failed = services.store.outbox.listFailed(cohort.id, 3);
  const failedCount = services.store.outbox.failedCount(cohort.id);
  const fields: Reply['fields'] = [];
  if (cohort.calendarProblem) {
    fields.push({ name: '⚠️ Nothing is posted', value: `The schedule cannot be used: ${cohort.calendarProblem}.` });
  } else {
    const windows = windowsFor(cohort, services);
    const current = currentWindow(windows, now);
    const week = cohortWeek(cohort, now);
    fields.push(
      { name: 'Week', value: week === 0 ? 'not started' : `${Math.min(week, totalWeeks(services.course))} of ${totalWeeks(services.course)}`, inline: true },
      { name: 'Current module', value: current ? moduleLabel(current.module) : 'none yet' },
      { name: 'Posts', value: `${weekdayName(cohort.postWeekday)}s at ${cohort.postTime} (${cohort.timezone}), from ${formatDayInZone(windows[0]?.releaseAt ?? now, cohort.timezone)}` },
    );
  }
  fields.splice(1, 0,
    { name: 'Learners', value: `${learners.length} (${linked} linked a repo)`, inline: true },
    { name: 'Messages waiting to be sent', value: String(services.store.outbox.pendingCount(cohort.id)), inline: true },
  );
  fields.push(boardField(cohort, services));
  const help = needsHandField(cohort, now, services);
  if (help) fields.push(help);
  const buddies = buddyField(cohort, learners, services);
  if (buddies) fields.push(buddies);
  const hints = hintField(cohort, services);
  if (hints) fields.push(hints);
  const earlier = earlierCourseField(cohort, services);
  if (earlier) fields.push(earlier);
  if (failedCount > 0) {
    const reasons = failed.map((m) => `${m.kind}: ${m.lastError ?? 'no reason recorded'}`).join('\n');
    fields.push({ name: `⚠️ ${failedCount} ${failedCount === 1 ? 'message' : 'messages'} could not be sent`, value: `${reasons}\nFix the cause, then /cohort resend sends ${failedCount === 1 ? 'it' : 'them'} again.` });
  }
  return { title: `${cohort.name} — ${cohort.status}`, fields, tone: cohort.calendarProblem || failedCount > 0 ? 'warning' : 'info', private: true };
}

/** Learners who seem stuck or gone quiet (the nudge rule, whether or not they take nudges), at most ten named. */
function needsHandField(cohort: Cohort, now: Date, services: Services): NonNullable<Reply['fields']>[number] | undefined {
  if (cohort.calendarProblem) return undefined;
  const released = new Set(windowsFor(cohort, services).filter((w) => w.releaseAt.getTime() <= now.getTime()).flatMap((w) => w.module.exercises.map((e) => e.id)));
  const lines = services.store.nudgeFacts.forCohort(cohort.id, released).flatMap((learner) => {
    const nudge = nudgeFor({ ...learner.facts, remindersOptOut: false }, now, cohort.settings?.nudges);
    if (!nudge) return [];
    return [`${learner.displayName}: ${nudge.kind === 'stuck' ? `\`${nudge.exerciseId}\` failed on ${nudge.commits} pushes in a row` : `no push or pass for ${nudge.days} days`}`];
  });
  if (lines.length === 0) return undefined;
  return { name: `Might need a hand (${lines.length})`, value: namedAtMostTen(lines).join('\n') };
}

/** Who has used hints, most recent first: a learner on their third hint may want a person rather than a fourth. */
function hintField(cohort: Cohort, services: Services): NonNullable<Reply['fields']>[number] | undefined {
  const usage = services.store.hints.usageInCohort(cohort.id);
  if (usage.length === 0) return undefined;
  const byLearner = new Map<string, string[]>();
  for (const use of usage) byLearner.set(use.displayName, [...(byLearner.get(use.displayName) ?? []), `\`${use.exerciseId}\` ${use.revealed}/${HINTS_PER_EXERCISE}`]);
  const lines = [...byLearner].map(([name, uses]) => `${name}: ${uses.join(', ')}`);
  return { name: `Hints used (${usage.reduce((sum, u) => sum + u.revealed, 0)})`, value: namedAtMostTen(lines).join('\n') };
}

/** A field's lines, ten at most: the rest counted, so a big cohort's field stays within the platforms' limits. */
function namedAtMostTen(lines: readonly string[]): string[] {
  return [...lines.slice(0, 10), ...(lines.length > 10 ? [`and ${lines.length - 10} more`] : [])];
}

/** Repos made from an earlier starter: the exercises added since have no check in them until they are updated. */
function earlierCourseField(cohort: Cohort, services: Services): NonNullable<Reply['fields']>[number] | undefined {
  const repos = services.store.syncState.onEarlierCourse(cohort.id);
  if (repos.length === 0) return undefined;
  const lines = repos.map((r) => `${r.displayName}: ${r.repo}`);
  return {
    name: `Repos on an earlier version of the course (${repos.length})`,
    value: [
      ...namedAtMostTen(lines),
      'Exercises added since cannot count there: `npm run starter -- --update <a clone of the repo>` brings one up to date and keeps the learner’s work.',
    ].join('\n'),
  };
}

/** The latest study buddy groups, for organisers to see who works with whom. */
function buddyField(cohort: Cohort, learners: readonly Learner[], services: Services): NonNullable<Reply['fields']>[number] | undefined {
  const latest = [...services.store.buddies.groups(cohort.id)].at(-1);
  if (!latest) return undefined;
  const [period, groups] = latest;
  const names = new Map(learners.map((l) => [l.id, l.displayName]));
  return { name: `Study buddies (${period.replace('module-', 'module ')})`, value: groups.map((g) => g.map((id) => names.get(id) ?? '?').join(' · ')).join('\n') };
}

/** Whether the cohort's board is on the web, and where. */
function boardField(cohort: Cohort, services: Services): NonNullable<Reply['fields']>[number] {
  const { store, links } = services;
  const publicId = store.cohorts.publishedBoardId(cohort.id);
  if (publicId === undefined) {
    return { name: 'Board on the web', value: links.board ? 'Not published; /cohort publish on shares it.' : 'Not published.' };
  }
  return {
    name: 'Board on the web',
    value: links.board
      ? `Published at ${links.board(publicId)}`
      : 'Published, but the bot has no public address (set PUBLIC_URL), so no one can open it.',
  };
}

const resend = defineSubcommand({
  description: 'Send again the messages that could not be delivered (see /cohort status)',
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const count = ctx.services.store.outbox.resendFailed(cohort.id, ctx.now);
    if (count > 0) ctx.services.outbox.wake();
    return count === 0
      ? { title: 'Nothing to resend', text: 'Every message of this cohort was delivered or is still being retried.', private: true }
      : { title: `Sending ${count} ${count === 1 ? 'message' : 'messages'} again`, text: 'They are retried for another day; /cohort status shows if any still fail.', tone: 'success', private: true };
  },
});

const timezone = defineSubcommand({
  description: "Change the cohort's timezone (posts and due dates follow it)",
  options: { timezone: timezoneOption({ description: 'An IANA zone, e.g. Europe/Berlin', required: true }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    ctx.services.store.cohorts.setTimezone(cohort.id, ctx.options.timezone);
    return { title: `${cohort.name} now runs on ${ctx.options.timezone} time`, text: 'Posts and due dates follow the new zone from now on.', tone: 'success', private: true };
  },
});

const pause = defineSubcommand({
  description: 'Stop the weekly posts and reminders until resumed',
  guards: [inCohort],
  run: (ctx) => setStatus(requireCohort(ctx), 'paused', ctx.services),
});

const resume = defineSubcommand({
  description: 'Start the weekly posts and reminders again',
  guards: [inCohort],
  run: (ctx) => setStatus(requireCohort(ctx), 'active', ctx.services),
});

function setStatus(cohort: Cohort, next: 'paused' | 'active', services: Services): Reply {
  if (cohort.status === next) return { title: `${cohort.name} is already ${next}`, private: true };
  services.store.cohorts.setStatus(cohort.id, next);
  return {
    title: next === 'paused' ? `${cohort.name} is paused` : `${cohort.name} is running again`,
    text: next === 'paused' ? 'No posts or reminders go out until /cohort resume.' : 'Posts and reminders go out on schedule again.',
    tone: 'success',
    private: true,
  };
}

const postNow = defineSubcommand({
  description: "Post the current module's assignment to the cohort channel now",
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { services } = ctx;
    const windows = windowsFor(cohort, services);
    const window = currentWindow(windows, ctx.now) ?? windows[0];
    if (!window) throw new Error('the course has no modules');
    services.store.transaction(() => {
      const outboxId = services.store.outbox.enqueue(cohort.id, 'assignment', assignmentReply(window, cohort, services.links), ctx.now);
      // Posted by hand before its time: the scheduled post of the same module is then not sent again.
      services.store.posts.claim(cohort.id, 'assignment', assignmentPeriod(window), outboxId, ctx.now);
    });
    services.outbox.wake();
    return { title: `Posting ${moduleLabel(window.module)} to the cohort channel`, tone: 'success', private: true };
  },
});

const onOff: OptionSpec<boolean, true> = {
  wireType: 'string',
  description: "on shares the cohort's board on the web; off takes it down",
  required: true,
  placeholder: 'on|off',
  multiWord: false,
  parse(raw) {
    const text = String(raw).trim().toLowerCase();
    return text === 'on' || text === 'off' ? ok(text === 'on') : err(`${quoted(raw)} is neither on nor off.`);
  },
  autocomplete: (partial) => ['on', 'off'].filter((v) => v.startsWith(partial.trim().toLowerCase())).map((v) => ({ name: v, value: v })),
};

const publish = defineSubcommand({
  description: "Share the cohort's board (leaderboard and schedule) on the web, or take it down",
  options: { board: onOff },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const { store, links } = ctx.services;
    const published = store.cohorts.isBoardPublished(cohort.id);
    if (!ctx.options.board) {
      if (!published) return { title: `${cohort.name}'s board is not on the web`, text: 'Nothing to take down.', private: true };
      store.cohorts.setBoardPublished(cohort.id, false);
      return {
        title: `${cohort.name}'s board is off the web`,
        text: 'Its address now shows "not found". /cohort publish on brings it back at the same address.',
        tone: 'success',
        private: true,
      };
    }
    if (!links.board) {
      return {
        title: 'The board cannot be published yet',
        text: 'This bot has no public address, so no one could open the board. Set PUBLIC_URL (where learners reach the bot, e.g. https://cohort.example.org), restart, then run /cohort publish on again.',
        tone: 'warning',
        private: true,
      };
    }
    const url = links.board(store.cohorts.setBoardPublished(cohort.id, true));
    return {
      title: published ? `${cohort.name}'s board is already on the web` : `${cohort.name}'s board is on the web`,
      text: `Anyone with this link sees the cohort's leaderboard (learners' display names and points) and its schedule:\n${url}`,
      footer: '/cohort publish off takes it down.',
      tone: 'success',
      private: true,
    };
  },
});

const addOrganiser = defineSubcommand({
  description: 'Let someone run this cohort too',
  options: { person: userOption({ description: 'Who to add', required: true }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const added = ctx.services.store.organisers.add(cohort.id, ctx.options.person, ctx.invocation.user.id, ctx.now);
    return { title: added ? `They can now run ${cohort.name}` : `They already run ${cohort.name}`, tone: added ? 'success' : 'info', private: true };
  },
});

const removeOrganiser = defineSubcommand({
  description: 'Stop someone running this cohort',
  options: { person: userOption({ description: 'Who to remove', required: true }) },
  guards: [inCohort],
  run(ctx): Reply {
    const cohort = requireCohort(ctx);
    const removed = ctx.services.store.organisers.remove(cohort.id, ctx.options.person);
    return { title: removed ? `They no longer run ${cohort.name}` : `They were not an organiser of ${cohort.name}`, private: true };
  },
});

const sync = defineSubcommand({
  description: "Refresh every linked learner's results from GitHub now",
  guards: [inCohort],
  async run(ctx): Promise<Reply> {
    const github = requireGithub(ctx);
    const cohort = requireCohort(ctx);
    const learners = ctx.services.store.learners.listInCohort(cohort.id);
    const report = await github.sync(learners, { force: true, wait: false });
    const names = new Map(learners.map((l) => [l.id, l.displayName]));
    const unlinked = learners.length - report.learners;
    return {
      title: `Synced ${cohort.name}`,
      text: `${report.looked} of ${report.learners} linked repos read · ${report.newPasses} new passes${unlinked > 0 ? ` · ${unlinked} learners have not linked a repo` : ''}`,
      fields: report.failures.length > 0
        ? [{ name: `Could not read ${report.failures.length}`, value: report.failures.slice(0, 5).map((f) => `${names.get(f.learnerId) ?? f.learnerId}: ${f.reason}`).join('\n') }]
        : [],
      tone: report.failures.length > 0 ? 'warning' : 'success',
      private: true,
    };
  },
});

export default defineCommandGroup({
  name: 'cohort',
  description: 'Organiser tools: set up, inspect, pause and resume cohorts, share running them, the leaderboard',
  organiserOnly: true,
  subcommands: {
    create,
    status,
    pause,
    resume,
    'post-now': postNow,
    resend,
    timezone,
    'add-organiser': addOrganiser,
    'remove-organiser': removeOrganiser,
    sync,
    publish,
    exclude,
    include,
    export: exportCsv,
    board,
    skip,
    settings,
  },
});
