import assert from 'node:assert/strict';
import { DEFAULT_COHORT_SETTINGS } from '../../src/core/cohort.ts';
import path from 'node:path';
import { describe, it } from 'node:test';
import { completedExercises } from '../../src/core/cohort.ts';
import type { NewCohort } from '../../src/store/cohorts.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const NOW = new Date('2026-12-07T09:00:00Z');
const LATER = new Date('2026-12-08T10:00:00Z');
const cohortInput: NewCohort = {
  platform: 'discord',
  workspaceId: 'guild-1',
  channelId: 'chan-1',
  name: 'Winter 2026',
  startDate: '2026-12-07',
  timezone: 'Europe/Berlin',
  postWeekday: 1,
  postTime: '09:00',
};

function freshStore() {
  return openStore(path.join(tempDir(), 'queries.db'));
}

describe('cohort queries', () => {
  it('creates a cohort and finds it again by its channel, with every field intact', () => {
    const store = freshStore();
    const created = store.cohorts.create(cohortInput, NOW);
    assert.deepEqual(store.cohorts.findByChannel('discord', 'guild-1', 'chan-1'), created);
    assert.deepEqual(created, { ...cohortInput, id: created.id, status: 'active', createdAt: NOW, calendarProblem: null, skippedSlots: [], settings: DEFAULT_COHORT_SETTINGS });
    assert.equal(store.cohorts.findByChannel('slack', 'guild-1', 'chan-1'), undefined);
    store.close();
  });

  it('allows several cohorts per workspace but one per channel', () => {
    const store = freshStore();
    store.cohorts.create(cohortInput, NOW);
    store.cohorts.create({ ...cohortInput, channelId: 'chan-2', name: 'Spring' }, NOW);
    assert.throws(() => store.cohorts.create(cohortInput, NOW), /UNIQUE/);
    assert.deepEqual(store.cohorts.listInWorkspace('discord', 'guild-1').map((c) => c.name), ['Winter 2026', 'Spring']);
    store.close();
  });

  it('pauses a cohort, which drops it from the active list', () => {
    const store = freshStore();
    const cohort = store.cohorts.create(cohortInput, NOW);
    store.cohorts.setStatus(cohort.id, 'paused');
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'paused');
    assert.deepEqual(store.cohorts.listActive(), []);
    store.close();
  });
});

describe('learner queries', () => {
  it('joins once; joining again keeps the learner and updates the display name', () => {
    const store = freshStore();
    const cohort = store.cohorts.create(cohortInput, NOW);
    const first = store.learners.join(cohort.id, 'user-1', 'Ada', NOW);
    assert.equal(first.created, true);
    assert.equal(first.learner.remindersOptOut, false);
    assert.equal(first.learner.githubRepo, null);
    const again = store.learners.join(cohort.id, 'user-1', 'Ada L.', LATER);
    assert.equal(again.created, false);
    assert.equal(again.learner.id, first.learner.id);
    assert.equal(store.learners.find(cohort.id, 'user-1')?.displayName, 'Ada L.');
    assert.deepEqual(store.learners.find(cohort.id, 'user-1')?.joinedAt, NOW);
    assert.equal(store.learners.listInCohort(cohort.id).length, 1);
    store.close();
  });

  it('keeps learners of different cohorts apart', () => {
    const store = freshStore();
    const a = store.cohorts.create(cohortInput, NOW);
    const b = store.cohorts.create({ ...cohortInput, channelId: 'chan-2' }, NOW);
    store.learners.join(a.id, 'user-1', 'Ada', NOW);
    assert.equal(store.learners.find(b.id, 'user-1'), undefined);
    store.close();
  });
});

describe('exercise result queries', () => {
  it('keeps the first pass time and commit when a later run fails, and reports the first pass once', () => {
    const store = freshStore();
    const cohort = store.cohorts.create(cohortInput, NOW);
    const { learner } = store.learners.join(cohort.id, 'user-1', 'Ada', NOW);
    const base = { learnerId: learner.id, exerciseId: 'ex01-lru-cache', detail: null };

    assert.equal(store.results.record({ ...base, status: 'failed', commit: 'aaa' }, NOW).firstPass, false);
    const pass = store.results.record({ ...base, status: 'passed', commit: 'bbb' }, LATER);
    assert.equal(pass.firstPass, true);
    assert.equal(store.results.record({ ...base, status: 'passed', commit: 'ccc' }, LATER).firstPass, false);
    const failedLater = store.results.record({ ...base, status: 'failed', commit: 'ddd', detail: 'tests failed' }, new Date('2026-12-09T00:00:00Z'));

    assert.equal(failedLater.firstPass, false);
    assert.equal(failedLater.result.status, 'failed');
    assert.deepEqual(failedLater.result.firstPassedAt, LATER);
    assert.equal(failedLater.result.passedCommit, 'bbb');
    assert.equal(failedLater.result.lastCommit, 'ddd');
    assert.equal(failedLater.result.detail, 'tests failed');
    assert.deepEqual([...completedExercises(store.results.listForLearner(learner.id))], ['ex01-lru-cache']);
    store.close();
  });

  it('does not count a tampered or pending result as done', () => {
    const store = freshStore();
    const cohort = store.cohorts.create(cohortInput, NOW);
    const { learner } = store.learners.join(cohort.id, 'user-1', 'Ada', NOW);
    store.results.record({ learnerId: learner.id, exerciseId: 'ex01-lru-cache', status: 'tampered', commit: 'x', detail: 'tests modified' }, NOW);
    store.results.record({ learnerId: learner.id, exerciseId: 'ex02-config-cli', status: 'pending', commit: 'x', detail: null }, NOW);
    assert.equal(completedExercises(store.results.listForLearner(learner.id)).size, 0);
    store.close();
  });

  it('rolls back every write of a failed transaction', () => {
    const store = freshStore();
    const cohort = store.cohorts.create(cohortInput, NOW);
    assert.throws(() =>
      store.transaction(() => {
        store.learners.join(cohort.id, 'user-9', 'Lost', NOW);
        throw new Error('boom');
      }),
    );
    assert.equal(store.learners.find(cohort.id, 'user-9'), undefined);
    store.close();
  });
});
