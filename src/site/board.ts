import { formatInZone } from '../core/calendar.ts';
import type { Cohort, Learner } from '../core/cohort.ts';
import { moduleLabel, type Course } from '../core/course.ts';
import type { FirstPass } from '../core/scoring.ts';
import { moduleWindows } from '../core/schedule.ts';
import { cohortBoardApiPath, cohortBoardPath, COURSE_PATH, modulePath } from '../core/site-paths.ts';
import { escapeHtml, plural, timeElement } from './html.ts';
import { layout } from './layout.ts';

/**
 * A published cohort board: what anyone with its link may see. Built field by field from the store's rows, so a
 * learner's platform user id, GitHub login or repo can never reach the page or the JSON: display names and points.
 */
export interface BoardStanding {
  rank: number;
  displayName: string;
  points: number;
  exercises: number;
}

export interface ModuleCompletion {
  number: number;
  slug: string;
  title: string;
  exercises: number;
  /** Learners who have passed every exercise of the module. */
  completed: number;
  /** `completed` / learners, 0 when nobody has joined. */
  share: number;
}

export interface Deadline {
  module: { number: number; slug: string; title: string };
  dueAt: Date;
  /** In the cohort's zone, e.g. `Mon 4 Jan 2027, 09:00 GMT+1`. */
  dueText: string;
}

export interface BoardData {
  publicId: string;
  cohortName: string;
  timezone: string;
  learners: number;
  standings: BoardStanding[];
  modules: ModuleCompletion[];
  /** The next due date after now; null when the course is over or the cohort's calendar cannot be used. */
  nextDeadline: Deadline | null;
}

/**
 * `ranked`: the cohort's board in order (the same scores and ranks as /leaderboard, from the store); the module
 * completion is counted here from the passes, linear in them.
 */
export function boardData(
  course: Course,
  cohort: Cohort,
  publicId: string,
  learners: readonly Learner[],
  passes: readonly (FirstPass & { learnerId: number })[],
  ranked: readonly BoardStanding[],
  now: Date,
): BoardData {
  const standings = ranked.map((s): BoardStanding => ({ rank: s.rank, displayName: s.displayName, points: s.points, exercises: s.exercises }));

  const members = new Set(learners.map((l) => l.id));
  const passedBy = new Map<number, Set<string>>();
  for (const pass of passes) {
    if (!members.has(pass.learnerId)) continue;
    let done = passedBy.get(pass.learnerId);
    if (!done) passedBy.set(pass.learnerId, (done = new Set()));
    done.add(pass.exerciseId);
  }
  const modules = course.modules.map((m): ModuleCompletion => {
    let completed = 0;
    if (m.exercises.length > 0) {
      for (const done of passedBy.values()) if (m.exercises.every((e) => done.has(e.id))) completed += 1;
    }
    const share = members.size === 0 ? 0 : completed / members.size;
    return { number: m.number, slug: m.slug, title: m.title, exercises: m.exercises.length, completed, share };
  });

  let nextDeadline: Deadline | null = null;
  if (!cohort.calendarProblem) {
    const upcoming = moduleWindows(course, cohort).find((w) => w.dueAt.getTime() > now.getTime());
    if (upcoming) {
      const { module } = upcoming;
      nextDeadline = {
        module: { number: module.number, slug: module.slug, title: module.title },
        dueAt: upcoming.dueAt,
        dueText: formatInZone(upcoming.dueAt, cohort.timezone),
      };
    }
  }

  return { publicId, cohortName: cohort.name, timezone: cohort.timezone, learners: members.size, standings, modules, nextDeadline };
}

/** `/api/cohorts/<public id>/leaderboard`: the same data as the page, as JSON. */
export function boardJson(data: BoardData): string {
  const body = {
    cohort: { name: data.cohortName, timezone: data.timezone, board: cohortBoardPath(data.publicId) },
    learners: data.learners,
    leaderboard: data.standings.map((s) => ({ rank: s.rank, displayName: s.displayName, points: s.points, exercises: s.exercises })),
    modules: data.modules.map((m) => ({
      number: m.number,
      slug: m.slug,
      title: m.title,
      exercises: m.exercises,
      completed: m.completed,
      share: Math.round(m.share * 10000) / 10000,
    })),
    nextDeadline: data.nextDeadline && {
      module: { ...data.nextDeadline.module },
      dueAt: data.nextDeadline.dueAt.toISOString(),
      dueText: data.nextDeadline.dueText,
    },
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** `/cohorts/<public id>`: the leaderboard, each module's completion, and the next deadline. */
export function boardPage(course: Course, data: BoardData): string {
  const withCohort = (path: string) => `${path}?cohort=${encodeURIComponent(data.publicId)}`;
  const deadline = data.nextDeadline
    ? (() => {
        const d = data.nextDeadline;
        const module = course.modules.find((m) => m.slug === d.module.slug);
        const name = escapeHtml(moduleLabel(d.module));
        const label = module ? `<a href="${escapeHtml(withCohort(modulePath(module)))}">${name}</a>` : name;
        return `<p>${label} is due ${timeElement(d.dueAt, d.dueText)} (${escapeHtml(data.timezone)} time).</p>`;
      })()
    : '<p>No deadline ahead.</p>';

  const rows = data.standings
    .map(
      (s) =>
        `<tr><td class="num">${s.rank}</td><th scope="row">${escapeHtml(s.displayName)}</th><td class="num">${s.points}</td><td class="num">${s.exercises}</td></tr>`,
    )
    .join('\n');
  const table =
    data.standings.length === 0
      ? '<p>Nobody has joined this cohort yet.</p>'
      : `<table class="board-table">
<caption class="meta">${plural(data.learners, 'learner')}, by points; equal points are ordered by who reached them first.</caption>
<thead><tr><th scope="col" class="num">Rank</th><th scope="col">Name</th><th scope="col" class="num">Points</th><th scope="col" class="num">Exercises done</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;

  const completion = data.modules
    .map((m) => {
      const module = course.modules.find((c) => c.slug === m.slug);
      const name = escapeHtml(moduleLabel(m));
      const label = module ? `<a href="${escapeHtml(withCohort(modulePath(module)))}">${name}</a>` : name;
      return `<tr><th scope="row">${label}</th><td><span class="completion"><meter min="0" max="100" value="${Math.round(m.share * 100)}" aria-label="${escapeHtml(`${moduleLabel(m)}: ${percent(m.share)} completed`)}">${percent(m.share)}</meter> <span>${percent(m.share)} · ${m.completed} of ${data.learners}</span></span></td></tr>`;
    })
    .join('\n');

  const main = `<h1>${escapeHtml(data.cohortName)}: leaderboard</h1>
<section aria-labelledby="next-deadline">
<h2 id="next-deadline">Next deadline</h2>
${deadline}
</section>
<section aria-labelledby="leaderboard">
<h2 id="leaderboard">Leaderboard</h2>
${table}
</section>
<section aria-labelledby="modules">
<h2 id="modules">Modules completed</h2>
<p class="meta">The share of the cohort's learners who have passed every exercise of a module.</p>
<table class="board-table">
<thead><tr><th scope="col">Module</th><th scope="col">Completed by</th></tr></thead>
<tbody>
${completion}
</tbody>
</table>
</section>
<p class="meta">Also as <a href="${escapeHtml(cohortBoardApiPath(data.publicId))}">JSON</a>. The <a href="${COURSE_PATH}">course</a> is open to everyone.</p>`;
  return layout({
    title: `${data.cohortName}: leaderboard`,
    siteTitle: course.title,
    breadcrumbs: [{ label: 'Course', href: COURSE_PATH }, { label: data.cohortName }],
    main,
  });
}
