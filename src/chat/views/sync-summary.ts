import { completedExercises, type Learner } from '../../core/cohort.ts';
import type { SyncReport } from '../../core/github-port.ts';
import type { Services } from '../context.ts';
import type { ReplyField } from '../reply.ts';
import { progressBar } from './module-view.ts';

/** What a sync found for one learner: done so far, new passes, and anything failing or not counted, with why. */
export function syncSummary(learner: Learner, report: SyncReport, services: Services): ReplyField[] {
  const failure = report.failures.find((f) => f.learnerId === learner.id);
  if (failure) return [{ name: 'Could not read your repo', value: failure.reason }];
  const exercises = services.course.modules.flatMap((m) => m.exercises);
  const stored = services.store.results.listForLearner(learner.id);
  const results = new Map(stored.map((r) => [r.exerciseId, r]));
  const done = completedExercises(stored).size;
  const fields: ReplyField[] = [
    { name: 'Done', value: `${progressBar(done, exercises.length)}${report.newPasses > 0 ? ` · ${report.newPasses} new` : ''}` },
  ];
  const line = (status: 'failed' | 'tampered') =>
    exercises
      .filter((e) => results.get(e.id)?.status === status)
      .map((e) => `\`${e.id}\`: ${results.get(e.id)?.detail ?? status}`)
      .slice(0, 5)
      .join('\n');
  const failing = line('failed');
  const tampered = line('tampered');
  if (tampered) fields.push({ name: 'Not counted', value: tampered });
  if (failing) fields.push({ name: 'Failing', value: failing });
  return fields;
}
