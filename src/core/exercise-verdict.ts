import type { ExerciseStatus } from './cohort.ts';
import { COURSE_WORKFLOW_PATH, type Exercise } from './course.ts';

/** What GitHub says about one check run (REST or GraphQL, reduced to what decides a verdict). */
export interface CheckRunFacts {
  /**
   * GitHub's id of the run, from REST: its annotations are read by it. GraphQL's `databaseId` is a 32-bit Int and
   * check run ids passed 2^31 long ago, so runs read over GraphQL have none.
   */
  id?: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  /** The GitHub App that created the run; `github-actions` for workflow jobs. */
  appSlug: string | null;
  /** The workflow file (path in the repo) whose run made the run's check suite; null when not from a workflow or unknown. */
  workflowPath: string | null;
  completedAt: string | null;
}

/** A file the learner must not change, with the blob SHA published in content/ and any earlier published ones. */
export interface ProtectedFile {
  path: string;
  sha: string;
  formerShas?: readonly string[];
}

/** A learner's copy from an earlier starter is as official as today's. */
function isPublished(file: ProtectedFile, actual: string | null | undefined): boolean {
  return actual === file.sha || (actual != null && (file.formerShas?.includes(actual) ?? false));
}

export interface Verdict {
  /**
   * `not-started`: the course workflow skipped the exercise's job because the push left its files as the starter
   * has them: no verdict to record; credit already earned stands.
   */
  status: ExerciseStatus | 'not-started';
  /** The commit judged: the head of the default branch. */
  commit: string;
  /** The failed run that decided a `failed` verdict, when its id is known (REST reads give it; see CheckRunFacts.id). */
  runId?: number;
  /** Why, in words a learner understands; null for a plain pass. */
  detail: string | null;
}

/** Only jobs of the course's own workflow count: any workflow or app can name a check run like an exercise. */
function isOfficial(run: CheckRunFacts): boolean {
  return run.appSlug === 'github-actions' && run.workflowPath === COURSE_WORKFLOW_PATH;
}

/** Where a run that does not count came from, in words a learner recognises. */
function origin(run: CheckRunFacts): string {
  if (run.appSlug !== 'github-actions') return `was created by ${run.appSlug ?? 'an unknown app'}, not by GitHub Actions`;
  return run.workflowPath ? `ran in ${run.workflowPath}` : 'came from GitHub Actions but not from a workflow file the bot could identify';
}

/** Newest first, unfinished runs (no completion time yet) before all others. */
function newestFirst(runs: readonly CheckRunFacts[]): CheckRunFacts[] {
  return [...runs].sort((a, b) => (b.completedAt ?? '9999').localeCompare(a.completedAt ?? '9999'));
}

/** The official run that decides an exercise at `head`: one still running, else the newest; undefined if none. */
export function decidingRun(exercise: Exercise, head: string, runs: readonly CheckRunFacts[]): CheckRunFacts | undefined {
  const official = newestFirst(runs.filter((run) => run.name === exercise.check && run.headSha === head && isOfficial(run)));
  return official.find((r) => r.status !== 'completed') ?? official[0];
}

/**
 * Whether an exercise counts as done at the head of the default branch: its check run there, in a check suite of
 * the course's workflow file run by GitHub Actions, completed with success (the newest such run decides, so a
 * re-run replaces a failed attempt), and the workflow and the exercise's tests are byte-for-byte a published version
 * (`actualShas` holds the blob SHA at that commit, or null when the file is missing). A run of the same name from
 * another workflow or app never counts; when it passed and no official run exists, the verdict says so.
 */
export function exerciseVerdict(
  exercise: Exercise,
  head: string,
  runs: readonly CheckRunFacts[],
  protectedFiles: readonly ProtectedFile[],
  actualShas: ReadonlyMap<string, string | null>,
): Verdict {
  const named = runs.filter((run) => run.name === exercise.check && run.headSha === head);
  const lookalike = newestFirst(named.filter((run) => !isOfficial(run))).find((run) => run.status === 'completed' && run.conclusion === 'success');
  const onlyOurs = `only the course's workflow ${COURSE_WORKFLOW_PATH} counts`;
  const aside = lookalike ? ` Another ${exercise.check} check passed, but it ${origin(lookalike)}: ${onlyOurs}.` : '';

  const run = decidingRun(exercise, head, runs);
  if (!run) {
    // GitHub naming no workflow for an Actions suite is more likely the bot's missing Actions permission than a
    // trick: not counted yet, but no "did not count" message to a learner who did nothing wrong.
    if (lookalike && lookalike.appSlug === 'github-actions' && lookalike.workflowPath === null) {
      return { status: 'pending', commit: head, detail: `The ${exercise.check} check passed, but GitHub did not say which workflow ran it; it counts once the bot can see that it ran in ${COURSE_WORKFLOW_PATH}.` };
    }
    if (lookalike) {
      return { status: 'tampered', commit: head, detail: `The ${exercise.check} check that passed ${origin(lookalike)}, so it does not count: ${onlyOurs}.` };
    }
    return { status: 'pending', commit: head, detail: `No ${exercise.check} check has run on your latest commit yet.` };
  }
  if (run.status !== 'completed') return { status: 'pending', commit: head, detail: `The ${exercise.check} check is still running.${aside}` };
  if (run.conclusion === 'skipped') return { status: 'not-started', commit: head, detail: `Not started: your files of ${exercise.id} are still the starter's, so its check was skipped.` };
  if (run.conclusion !== 'success') {
    return { status: 'failed', commit: head, detail: `The ${exercise.check} check finished with "${run.conclusion ?? 'no conclusion'}".${aside}`, ...(run.id !== undefined ? { runId: run.id } : {}) };
  }
  const changed = protectedFiles.filter((file) => !isPublished(file, actualShas.get(file.path))).map((file) => file.path);
  if (changed.length > 0) {
    const shown = changed.slice(0, 3).join(', ') + (changed.length > 3 ? ` and ${changed.length - 3} more` : '');
    return {
      status: 'tampered',
      commit: head,
      detail: `The check passed, but ${shown} ${changed.length === 1 ? 'differs' : 'differ'} from the course's version, so it does not count. Restore the original files and push again.`,
    };
  }
  return { status: 'passed', commit: head, detail: null };
}
