import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/store.ts';
import { measure, printTable } from './measure.ts';

/**
 * Recording a whole cohort's results (1,000 learners × 12 exercises), as a sync will: one transaction per sync
 * against the baseline of one implicit transaction per row.
 */
export async function benchStoreWrites(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-'));
  const store = openStore(path.join(dir, 'writes.db'));
  const now = new Date('2027-01-12T12:00:00Z');
  const cohort = store.cohorts.create(
    { platform: 'slack', workspaceId: 'T1', channelId: 'C1', name: 'Bench', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' },
    now,
  );
  const learners = store.transaction(() =>
    Array.from({ length: 1000 }, (_, i) => store.learners.join(cohort.id, `U${i}`, `Learner ${i}`, now).learner.id),
  );
  let round = 0;
  const recordAll = () => {
    round += 1;
    for (const learnerId of learners) {
      for (let e = 1; e <= 12; e++) {
        store.results.record({ learnerId, exerciseId: `ex${e}`, status: round % 2 ? 'passed' : 'failed', commit: `c${round}`, detail: null }, now);
      }
    }
  };
  const rows = [
    await measure('baseline: 12,000 rows, one transaction each', 3, recordAll),
    await measure('12,000 rows in one transaction', 3, () => store.transaction(recordAll)),
  ];
  printTable('Store: recording a full sync of results', rows);
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
