import { formatInZone } from '../core/calendar.ts';
import type { Cohort } from '../core/cohort.ts';
import type { Course, Lecture, Module } from '../core/course.ts';
import { moduleWindows } from '../core/schedule.ts';
import { cohortBoardPath, COURSE_PATH, exerciseAnchor, lecturePath, lectureSlug, modulePath } from '../core/site-paths.ts';
import { exerciseReadmePath, indexCourse } from './content-urls.ts';
import { escapeHtml } from './html.ts';
import { courseIndexPage, lecturePage, modulePage, notFoundPage, type ModuleSchedule } from './course-pages.ts';
import type { SiteHighlighter } from './highlight.ts';
import { createMarkdownRenderer } from './markdown.ts';
import { siteStylesheet } from './styles.ts';

/** Reads a file of content/ by its content path (`modules/<folder>/lectures/01-x.md`). */
export type ReadContent = (contentPath: string) => string;

/** The course as a site: every page rendered once, at start, from the course and its Markdown. */
export interface CourseSite {
  /** Path → HTML of every course page: `/course`, each module and each lecture. */
  pages: ReadonlyMap<string, string>;
  /** The module's page with a cohort's release and due dates (rendered per request: dates depend on the cohort). */
  modulePageFor(slug: string, cohort: Cohort, publicId: string): string | undefined;
  /** The stylesheet, complete for every page above (built after rendering them). */
  stylesheet: string;
  notFound: string;
}

/** The Markdown the site renders, for collecting the fence languages the highlighter should load. */
export function courseMarkdown(course: Course, read: ReadContent): string[] {
  return course.modules.flatMap((m) => [...m.lectures.map((l) => read(l.contentPath)), ...m.exercises.filter((e) => !e.crate).map((e) => read(exerciseReadmePath(m, e)))]);
}

export function buildCourseSite(course: Course, read: ReadContent, highlighter: SiteHighlighter | undefined): CourseSite {
  const renderer = createMarkdownRenderer(indexCourse(course), highlighter);
  const pages = new Map<string, string>();
  pages.set(COURSE_PATH, courseIndexPage(course));

  const readmes = new Map<Module, Map<string, string>>();
  for (const module of course.modules) {
    const rendered = new Map<string, string>();
    for (const exercise of module.exercises) {
      if (exercise.crate) {
        // A milestone continues its project: the project's README (shown once, above) describes it.
        const project = module.exercises.find((e) => e.id === exercise.crate);
        rendered.set(exercise.id, `<p>A milestone of <a href="#${escapeHtml(exerciseAnchor(exercise.crate))}">${escapeHtml(project?.title ?? exercise.crate)}</a>, in the same crate: its README there describes this milestone and what its tests check.</p>`);
        continue;
      }
      const contentPath = exerciseReadmePath(module, exercise);
      const { html } = renderer.render(read(contentPath), { source: { contentPath, exerciseId: exercise.id }, headingOffset: 2, dropLeadingH1: true });
      rendered.set(exercise.id, html);
    }
    readmes.set(module, rendered);
    pages.set(modulePath(module), modulePage({ course, module, readmes: rendered }));
  }

  const sequence: { module: Module; lecture: Lecture }[] = course.modules.flatMap((module) => module.lectures.map((lecture) => ({ module, lecture })));
  sequence.forEach(({ module, lecture }, i) => {
    const { html, leadingH1 } = renderer.render(read(lecture.contentPath), { source: { contentPath: lecture.contentPath } });
    const path = lecturePath(module, lecture);
    if (pages.has(path)) throw new Error(`two lectures of ${module.slug} share the slug ${lectureSlug(lecture)}`);
    pages.set(path, lecturePage({ course, module, lecture, html, hasH1: leadingH1 !== null, previous: sequence[i - 1], next: sequence[i + 1] }));
  });

  return {
    pages,
    modulePageFor(slug, cohort, publicId) {
      const module = course.modules.find((m) => m.slug === slug);
      if (!module) return undefined;
      return modulePage({ course, module, readmes: readmes.get(module) ?? new Map(), schedule: cohortSchedule(course, module, cohort, publicId) });
    },
    stylesheet: siteStylesheet(highlighter?.css() ?? ''),
    notFound: notFoundPage(course.title),
  };
}

function cohortSchedule(course: Course, module: Module, cohort: Cohort, publicId: string): ModuleSchedule | undefined {
  if (cohort.calendarProblem) return undefined;
  const window = moduleWindows(course, cohort).find((w) => w.module === module);
  if (!window) return undefined;
  return {
    cohortName: cohort.name,
    boardHref: cohortBoardPath(publicId),
    timezone: cohort.timezone,
    releaseAt: window.releaseAt,
    releaseText: formatInZone(window.releaseAt, cohort.timezone),
    dueAt: window.dueAt,
    dueText: formatInZone(window.dueAt, cohort.timezone),
  };
}
