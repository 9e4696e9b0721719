import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { describe, it } from 'node:test';
import { berlinCohort, pass } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-20T12:00:00Z');
const ORGANISER = { id: 'UORG', displayName: 'Olga', isOrganiser: true };
const exercises = realCourse().modules.flatMap((m) => m.exercises);

describe('/cohort exclude and include', () => {
  it('leave a facilitator off the board and bring them back; only organisers may', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const coach = store.learners.join(cohort.id, 'UCOACH', 'Coach', NOW).learner;
    store.learners.join(cohort.id, 'UADA', 'Ada', NOW);
    pass(store, coach.id, [exercises[0]!.id], NOW);
    const board = async () => (await registry.execute(invocation('leaderboard', '', { user: { id: 'UADA', displayName: 'Ada' } }), services)).text ?? '';
    assert.match(await board(), /^🥇 Coach/);

    const refused = await registry.execute(invocation('cohort', 'exclude <@UCOACH>', { user: { id: 'UADA', displayName: 'Ada' } }), services);
    assert.match(refused.text ?? '', /Only the cohort organisers/);
    const excluded = await registry.execute(invocation('cohort', 'exclude <@UCOACH>', { user: ORGANISER }), services);
    assert.equal(excluded.title, 'Coach is off the Winter cohort leaderboard');
    assert.doesNotMatch(await board(), /Coach/);
    const stranger = await registry.execute(invocation('cohort', 'exclude <@UNOBODY>', { user: ORGANISER }), services);
    assert.match(stranger.text ?? '', /They have not joined Winter cohort/);
    await registry.execute(invocation('cohort', 'include <@UCOACH>', { user: ORGANISER }), services);
    assert.match(await board(), /^🥇 Coach/);
  });
});

describe('/cohort export', () => {
  it('sends the organiser a CSV that parses back, names with commas, quotes, newlines and formulas intact and harmless', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const names = ['Smith, Ada', 'Bob "the builder"', 'Line\nBreak', '=HYPERLINK("http://evil.test","x")', '+1 555', '@mention', '-minus', 'Zoë 李'];
    for (const [i, name] of names.entries()) {
      const { learner } = store.learners.join(cohort.id, `u-${i}`, name, NOW);
      store.learners.linkGithub(learner.id, `user${i}`, `user${i}/rust-course`, NOW);
      pass(store, learner.id, exercises.slice(0, i).map((e) => e.id), new Date('2026-12-08T10:00:00Z'));
    }
    store.standings.setExcluded(cohort.id, store.learners.find(cohort.id, 'u-0')!.id, true);
    const reply = await registry.execute(invocation('cohort', 'export', { user: ORGANISER }), services);
    assert.equal(reply.private, true);
    const file = reply.files?.[0];
    assert.equal(file?.contentType, 'text/csv');
    assert.match(file?.name ?? '', /^winter-cohort-2026-12-20\.csv$/);
    const text = Buffer.from(file!.base64, 'base64').toString('utf8');
    assert.ok(text.startsWith('\uFEFF'), 'a byte order mark, so spreadsheets read UTF-8');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    assert.equal(rows.length, names.length);
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const name of names) {
      const shown = /^[=+\-@]/.test(name) ? `'${name}` : name;
      assert.ok(byName.has(shown), `${JSON.stringify(shown)} in ${[...byName.keys()].join(' | ')}`);
    }
    // Best first: the learner with the most passes leads, with bonus points and the commit that passed.
    const top = rows[0]!;
    assert.equal(top.name, 'Zoë 李');
    assert.equal(top['exercises passed'], '7');
    assert.equal(Number(top.points), exercises.slice(0, 7).reduce((sum, e) => sum + e.points + Math.round(e.points * 0.2), 0));
    assert.equal(top[`${exercises[0]!.id} first pass (Europe/Berlin)`], '2026-12-08 11:00');
    assert.equal(top[`${exercises[0]!.id} commit`], 'c0ffee');
    assert.equal(top['github repo'], 'user7/rust-course');
    assert.equal(byName.get('Smith, Ada')?.['on the board'], 'no');
    assert.equal(byName.get('Smith, Ada')?.[`${exercises[0]!.id} first pass (Europe/Berlin)`], '');
  });
});

describe('/progress for someone else', () => {
  it('shows an organiser a learner’s progress as the learner sees it, and refuses a member', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const ada = store.learners.join(cohort.id, 'UADA', 'Ada', NOW).learner;
    store.learners.join(cohort.id, 'UBOB', 'Bob', NOW);
    pass(store, ada.id, [exercises[0]!.id], NOW);
    const own = await registry.execute(invocation('progress', '', { user: { id: 'UADA', displayName: 'Ada' } }), services);
    const seen = await registry.execute(invocation('progress', '<@UADA>', { user: ORGANISER }), services);
    assert.deepEqual(seen, own);
    assert.match(own.text ?? '', /rank 1 of 2/);
    const refused = await registry.execute(invocation('progress', '<@UADA>', { user: { id: 'UBOB', displayName: 'Bob' } }), services);
    assert.match(refused.text ?? '', /Only the cohort organisers/);
    const self = await registry.execute(invocation('progress', '<@UBOB>', { user: { id: 'UBOB', displayName: 'Bob' } }), services);
    assert.equal(self.title, "Bob's progress in Winter cohort");
  });
});

describe('/leaderboard image', () => {
  it('answers with a PNG of the board, the asker highlighted below the top when further down', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    for (let i = 0; i < 30; i++) {
      const { learner } = store.learners.join(cohort.id, `U${i}`, `Learner ${i}`, NOW);
      pass(store, learner.id, exercises.slice(0, i % 8).map((e) => e.id), NOW);
    }
    const reply = await registry.execute(invocation('leaderboard', 'image', { user: { id: 'U0', displayName: 'Learner 0' } }), services);
    const file = reply.files?.[0];
    assert.equal(file?.contentType, 'image/png');
    assert.match(file?.name ?? '', /^leaderboard-2026-12-20\.png$/);
    assert.match(file?.description ?? '', /Winter cohort leaderboard: Learner \d+ leads with \d+ points/);
    const png = Buffer.from(file!.base64, 'base64');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), 800, 'width');
    // A header, 21 rows (the top 20 and the asker) and a margin.
    assert.ok(png.readUInt32BE(20) > 21 * 60, `height ${png.readUInt32BE(20)}`);
    assert.match(reply.text ?? '', /you highlighted/);
    const refused = await registry.execute(invocation('leaderboard', 'gif'), services);
    assert.match(refused.text ?? '', /"gif" is not one of text, image/);
  });
});
