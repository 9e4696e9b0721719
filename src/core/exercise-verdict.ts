import type { ExerciseStatus } from './cohort.ts';
import type { Exercise } from './course.ts';

/** What GitHub says about one check run (REST or GraphQL, reduced to what decides a verdict). */
export interface CheckRunFacts {
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  /** The GitHub App that created the run; `github-actions` for workflow jobs. */
  appSlug: string | null;
  completedAt: string | null;
}

/** A file the learner must not change, with the blob SHA published in content/. */
export interface ProtectedFile {
  path: string;
  sha: string;
}

export interface Verdict {
  status: ExerciseStatus;
  /** The commit judged: the head of the default branch. */
  commit: string;
  /** Why, in words a learner understands; null for a plain pass. */
  detail: string | null;
}

/**
 * Whether an exercise counts as done at the head of the default branch: its check run there completed with
 * success, was created by GitHub Actions, and the workflow and the exercise's tests are byte-for-byte the
 * published ones (`actualShas` holds the blob SHA at that commit, or null when the file is missing).
 */
export function exerciseVerdict(
  exercise: Exercise,
  head: string,
  runs: readonly CheckRunFacts[],
  protectedFiles: readonly ProtectedFile[],
  actualShas: ReadonlyMap<string, string | null>,
): Verdict {
  const atHead = runs
    .filter((run) => run.name === exercise.check && run.headSha === head)
    .sort((a, b) => (b.completedAt ?? '9999').localeCompare(a.completedAt ?? '9999'));
  const run = atHead.find((r) => r.status !== 'completed') ?? atHead[0];
  if (!run) return { status: 'pending', commit: head, detail: `No ${exercise.check} check has run on your latest commit yet.` };
  if (run.status !== 'completed') return { status: 'pending', commit: head, detail: `The ${exercise.check} check is still running.` };
  if (run.appSlug !== 'github-actions') {
    return { status: 'tampered', commit: head, detail: `The ${exercise.check} check was not created by GitHub Actions (${run.appSlug ?? 'unknown app'}), so it does not count.` };
  }
  if (run.conclusion !== 'success') {
    return { status: 'failed', commit: head, detail: `The ${exercise.check} check finished with "${run.conclusion ?? 'no conclusion'}".` };
  }
  const changed = protectedFiles.filter((file) => actualShas.get(file.path) !== file.sha).map((file) => file.path);
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
