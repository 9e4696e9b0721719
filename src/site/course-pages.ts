import { moduleLabel, phaseName, totalPoints, type Course, type Exercise, type Lecture, type Module } from '../core/course.ts';
import { COURSE_PATH, exerciseAnchor, lecturePath, modulePath } from '../core/site-paths.ts';
import { escapeHtml, plural, timeElement } from './html.ts';
import { layout } from './layout.ts';

/** The course's pages as pure functions of the course and its rendered Markdown. */

const weeks = (n: number) => plural(n, 'week');

/** `/course`: the modules by phase, with their weeks and summaries. */
export function courseIndexPage(course: Course): string {
  const totalWeeks = course.modules.reduce((sum, m) => sum + m.weeks, 0);
  const phases = [...new Set(course.modules.map((m) => m.phase))].sort((a, b) => a - b);
  const sections = phases.map((phase) => {
    const modules = course.modules.filter((m) => m.phase === phase);
    const id = `phase-${phase}`;
    const cards = modules
      .map(
        (m) => `<li>
<h3><a href="${escapeHtml(modulePath(m))}">${escapeHtml(moduleLabel(m))}</a></h3>
<p class="meta">${weeks(m.weeks)} · ${plural(m.lectures.length, 'lecture')} · ${plural(m.exercises.length, 'exercise')} · ${plural(totalPoints(m), 'point')}</p>
<p>${escapeHtml(m.summary)}</p>
</li>`,
      )
      .join('\n');
    return `<section aria-labelledby="${id}">
<h2 id="${id}">Phase ${phase} · ${escapeHtml(phaseName(course, phase))}</h2>
<ul class="cards">
${cards}
</ul>
</section>`;
  });
  const main = `<h1>${escapeHtml(course.title)}</h1>
<p class="lead">${escapeHtml(course.summary)}</p>
<p class="meta">${plural(course.modules.length, 'module')} in ${plural(phases.length, 'phase')} · ${weeks(totalWeeks)}</p>
${sections.join('\n')}`;
  return layout({ title: course.title, siteTitle: course.title, description: course.summary, main });
}

/** A cohort's dates for one module, already formatted in the cohort's zone. */
export interface ModuleSchedule {
  cohortName: string;
  boardHref: string;
  timezone: string;
  releaseAt: Date;
  releaseText: string;
  dueAt: Date;
  dueText: string;
}

export interface ModulePageData {
  course: Course;
  module: Module;
  /** Each exercise's README rendered (headings below the exercise's h3, ids prefixed), by exercise id. */
  readmes: ReadonlyMap<string, string>;
  schedule?: ModuleSchedule;
}

/** `/course/<module>`: objectives, lectures, exercises with their READMEs, and a cohort's dates when asked. */
export function modulePage({ course, module, readmes, schedule }: ModulePageData): string {
  const scheduleHtml = schedule
    ? `<section class="schedule" aria-labelledby="schedule">
<h2 id="schedule">${escapeHtml(schedule.cohortName)}</h2>
<p>Released ${timeElement(schedule.releaseAt, schedule.releaseText)}; due ${timeElement(schedule.dueAt, schedule.dueText)} (${escapeHtml(schedule.timezone)} time).</p>
<p><a href="${escapeHtml(schedule.boardHref)}">${escapeHtml(schedule.cohortName)}: leaderboard</a></p>
</section>\n`
    : '';
  const lectures = module.lectures
    .map((l) => `<li><a href="${escapeHtml(lecturePath(module, l))}">${escapeHtml(l.title)}</a></li>`)
    .join('\n');
  const exercises = module.exercises.map((e) => exerciseSection(e, readmes.get(e.id) ?? '')).join('\n');
  const index = course.modules.indexOf(module);
  const pager = pagerNav('Modules', neighbour(course.modules[index - 1]), neighbour(course.modules[index + 1]));
  const main = `<h1>${escapeHtml(moduleLabel(module))}</h1>
<p class="meta">Phase ${module.phase} · ${escapeHtml(phaseName(course, module.phase))} · ${weeks(module.weeks)} · ${plural(totalPoints(module), 'point')}</p>
${scheduleHtml}<p class="lead">${escapeHtml(module.summary)}</p>
<h2 id="objectives">Objectives</h2>
<ul>
${module.objectives.map((o) => `<li>${escapeHtml(o)}</li>`).join('\n')}
</ul>
<h2 id="lectures">Lectures</h2>
<ol>
${lectures}
</ol>
<h2 id="exercises">Exercises</h2>
${exercises}
${pager}`;
  return layout({
    title: moduleLabel(module),
    siteTitle: course.title,
    description: module.summary,
    breadcrumbs: [{ label: 'Course', href: COURSE_PATH }, { label: moduleLabel(module) }],
    main,
  });
}

function neighbour(module: Module | undefined): PagerLink | undefined {
  return module && { href: modulePath(module), label: moduleLabel(module) };
}

function exerciseSection(exercise: Exercise, readme: string): string {
  const id = exerciseAnchor(exercise.id);
  return `<section class="exercise" aria-labelledby="${escapeHtml(id)}">
<h3 id="${escapeHtml(id)}">${escapeHtml(exercise.title)}</h3>
<p class="meta">${plural(exercise.points, 'point')} · done when the CI check <code>${escapeHtml(exercise.check)}</code> passes</p>
<p>${escapeHtml(exercise.summary)}</p>
<div class="readme">
${readme}
</div>
</section>`;
}

export interface LecturePageData {
  course: Course;
  module: Module;
  lecture: Lecture;
  /** The lecture's Markdown rendered. */
  html: string;
  /** Whether `html` starts with the lecture's own h1; otherwise the page adds one from module.yaml's title. */
  hasH1: boolean;
  previous?: { module: Module; lecture: Lecture };
  next?: { module: Module; lecture: Lecture };
}

/** `/course/<module>/<lecture>`: the lecture, and links to the lectures before and after it in the course. */
export function lecturePage({ course, module, lecture, html, hasH1, previous, next }: LecturePageData): string {
  const link = (to: { module: Module; lecture: Lecture } | undefined): PagerLink | undefined =>
    to && {
      href: lecturePath(to.module, to.lecture),
      label: to.module === module ? to.lecture.title : `${moduleLabel(to.module)}: ${to.lecture.title}`,
    };
  const position = module.lectures.indexOf(lecture) + 1;
  const main = `<article>
${hasH1 ? '' : `<h1>${escapeHtml(lecture.title)}</h1>\n`}${html}
</article>
<p class="meta">Lecture ${position} of ${module.lectures.length} in <a href="${escapeHtml(modulePath(module))}">${escapeHtml(moduleLabel(module))}</a>.</p>
${pagerNav('Lectures', link(previous), link(next))}`;
  return layout({
    title: lecture.title,
    siteTitle: course.title,
    breadcrumbs: [{ label: 'Course', href: COURSE_PATH }, { label: moduleLabel(module), href: modulePath(module) }, { label: lecture.title }],
    main,
  });
}

/** The answer for every address the site does not serve: it never says why (unknown or unpublished). */
export function notFoundPage(siteTitle: string): string {
  return layout({
    title: 'Page not found',
    siteTitle,
    main: `<h1>Page not found</h1>
<p>There is no page at this address.</p>
<p><a href="${COURSE_PATH}">Go to the course</a></p>`,
  });
}

interface PagerLink {
  href: string;
  label: string;
}

function pagerNav(label: string, previous: PagerLink | undefined, next: PagerLink | undefined): string {
  if (!previous && !next) return '';
  const prev = previous ? `<a class="prev" rel="prev" href="${escapeHtml(previous.href)}">← Previous: ${escapeHtml(previous.label)}</a>` : '';
  const nxt = next ? `<a class="next" rel="next" href="${escapeHtml(next.href)}">Next: ${escapeHtml(next.label)} →</a>` : '';
  return `<nav class="pager" aria-label="${escapeHtml(label)}">${prev}${nxt}</nav>`;
}
