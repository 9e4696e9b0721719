import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { linkedLearner, runChecks, starterRepo } from '../helpers/github-fixture.ts';
import { githubTestServices } from '../helpers/github-services.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const TOTAL = course.modules.flatMap((m) => m.exercises).length;
const firstExercise = course.modules[0]!.exercises[0]!;

/** The code the bot asked for, read from its reply. */
function codeIn(text: string | undefined): string {
  const code = /`(cohort-verify-[0-9a-f]+)`/.exec(text ?? '')?.[1];
  assert.ok(code, `a code in: ${text}`);
  return code;
}

describe('/link-github', () => {
  let fake: FakeGithub;
  before(async () => {
    fake = await FakeGithub.start();
    starterRepo(fake, course, 'ada-l/rust-course');
    starterRepo(fake, course, 'bob-l/rust-course');
    starterRepo(fake, course, 'ada-l/second-try');
    starterRepo(fake, course, 'ada-l/raced');
  });
  after(() => fake.close());

  async function joined() {
    const setup = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(setup.store);
    setup.store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    return { ...setup, cohort };
  }

  it('links a repo after finding the one-time code in .cohort-verify, then syncs it', async () => {
    const { services, registry, store, cohort } = await joined();
    runChecks(fake, 'ada-l/rust-course', [firstExercise.check]);
    const started = await registry.execute(invocation('link-github', 'ada-l https://github.com/ada-l/rust-course.git'), services);
    assert.equal(started.title, 'One step left: show that ada-l/rust-course is yours');
    assert.equal(started.private, true);
    const code = codeIn(started.text);

    fake.push('ada-l/rust-course', { '.cohort-verify': `${code}\n` });
    runChecks(fake, 'ada-l/rust-course', [firstExercise.check]);
    const verified = await registry.execute(invocation('link-github', 'verify'), services);
    assert.equal(verified.title, 'Linked: ada-l/rust-course', verified.text);
    assert.equal(verified.tone, 'success');
    const learner = store.learners.find(cohort.id, 'u-ada');
    assert.equal(learner?.githubRepo, 'ada-l/rust-course');
    assert.equal(learner?.githubLogin, 'ada-l');
    assert.ok(learner?.githubVerifiedAt);
    assert.match(verified.fields?.[0]?.value ?? '', new RegExp(`1/${TOTAL}`), 'the first sync ran');
    assert.equal(store.results.listForLearner(learner!.id).find((r) => r.exerciseId === firstExercise.id)?.status, 'passed');
  });

  it('also accepts the code in the repo description, with subcommand words on Discord', async () => {
    const { services, registry, store, cohort } = await joined();
    const started = await registry.execute(invocation('link-github', '', { subcommand: 'start', args: { kind: 'values', values: { login: 'bob-l', repo: 'bob-l/rust-course' } } }), services);
    fake.addRepo({ owner: 'bob-l', name: 'rust-course', defaultBranch: 'main', description: `My course repo ${codeIn(started.text)}` });
    const verified = await registry.execute(invocation('link-github', '', { subcommand: 'verify', args: { kind: 'values', values: {} } }), services);
    assert.equal(verified.title, 'Linked: bob-l/rust-course', verified.text);
    assert.equal(store.learners.find(cohort.id, 'u-ada')?.githubRepo, 'bob-l/rust-course');
  });

  it('refuses malformed logins and repo names, saying what GitHub allows', async () => {
    const { services, registry } = await joined();
    const badLogin = await registry.execute(invocation('link-github', '-ada ada/rust'), services);
    assert.match(badLogin.text ?? '', /"-ada" is not a GitHub login: logins have 1–39 letters/);
    const badRepo = await registry.execute(invocation('link-github', 'ada-l ada-l/rust course'), services);
    assert.equal(badRepo.tone, 'error');
    const badName = await registry.execute(invocation('link-github', 'ada-l ada-l/..'), services);
    assert.match(badName.text ?? '', /not a valid repository name/);
    const noSlash = await registry.execute(invocation('link-github', 'ada-l rust-course'), services);
    assert.match(noSlash.text ?? '', /write it as owner\/name/);
  });

  it("refuses someone else's repo, a missing repo, and a repo another learner has linked", async () => {
    const { services, registry, store, cohort } = await joined();
    const theirs = await registry.execute(invocation('link-github', 'ada-l bob-l/rust-course'), services);
    assert.match(theirs.text ?? '', /bob-l\/rust-course belongs to bob-l, not to ada-l/);
    const missing = await registry.execute(invocation('link-github', 'ada-l ada-l/no-such-repo'), services);
    assert.match(missing.text ?? '', /I cannot find ada-l\/no-such-repo on GitHub/);
    linkedLearner(store, cohort, 'u-other', 'ada-l/rust-course', NOW);
    const taken = await registry.execute(invocation('link-github', 'ada-l ada-l/rust-course'), services);
    assert.match(taken.text ?? '', /Someone else in Winter cohort has already linked ada-l\/rust-course/);
  });

  it('refuses to verify a repo that another learner linked in the meantime', async () => {
    const { services, registry, store, cohort } = await joined();
    const started = await registry.execute(invocation('link-github', 'ada-l ada-l/raced'), services);
    fake.push('ada-l/raced', { '.cohort-verify': codeIn(started.text) });
    linkedLearner(store, cohort, 'u-quick', 'ADA-L/raced', NOW);
    const verified = await registry.execute(invocation('link-github', 'verify'), services);
    assert.match(verified.text ?? '', /Someone else in Winter cohort linked ada-l\/raced first/);
    assert.equal(store.learners.find(cohort.id, 'u-ada')?.githubRepo, null);
  });

  it('refuses to verify when the code is missing or wrong, and keeps the request', async () => {
    const { services, registry, store, cohort, clock } = await joined();
    const later = () => clock.set(new Date(clock.now().getTime() + 15_000));
    const nothing = await registry.execute(invocation('link-github', 'verify'), services);
    assert.match(nothing.text ?? '', /no link waiting to be verified/);

    const started = await registry.execute(invocation('link-github', 'ada-l ada-l/second-try'), services);
    const code = codeIn(started.text);
    const missing = await registry.execute(invocation('link-github', 'verify'), services);
    assert.match(missing.text ?? '', /I found no \.cohort-verify file on main, and your code is not in the repo's description/);
    assert.match(missing.text ?? '', new RegExp(code));

    fake.push('ada-l/second-try', { '.cohort-verify': 'cohort-verify-000000000000' });
    later();
    const wrong = await registry.execute(invocation('link-github', 'verify'), services);
    assert.match(wrong.text ?? '', /\.cohort-verify on main does not hold your code \(it says "cohort-verify-000000000000"\)/);
    assert.equal(store.learners.find(cohort.id, 'u-ada')?.githubRepo, null);
    const spent = fake.used;
    later();
    const retried = await registry.execute(invocation('link-github', 'verify'), services);
    assert.equal(retried.text, wrong.text);
    assert.equal(fake.used, spent, 'asking again about an unchanged repo and file is answered 304, for no rate limit');

    fake.push('ada-l/second-try', { '.cohort-verify': `\u202e\u0000\`${'x'.repeat(100_000)}` });
    later();
    const hostile = await registry.execute(invocation('link-github', 'verify'), services);
    const echoed = /it says (".*?")\)/.exec(hostile.text ?? '')?.[1] ?? '';
    assert.ok([...echoed].length <= 42, `the file's text is echoed bounded, got ${echoed.length} characters`);
    assert.doesNotMatch(echoed, /[\u0000\u202e`]/, 'control, direction and backtick characters are not echoed');
    const hostileSpent = fake.used;

    fake.push('ada-l/second-try', { '.cohort-verify': code });
    const tooSoon = await registry.execute(invocation('link-github', 'verify'), services);
    assert.match(tooSoon.text ?? '', /You ran \/link-github verify a moment ago/);
    assert.match(tooSoon.text ?? '', /Try again in 15 s/);
    assert.equal(fake.used, hostileSpent, 'a repeated request costs GitHub nothing');
    later();
    const right = await registry.execute(invocation('link-github', 'verify'), services);
    assert.equal(right.title, 'Linked: ada-l/second-try');
  });

  it('allows relinking: the old repo counts until the new one is verified, and credit earned is kept', async () => {
    const { services, registry, store, cohort } = await joined();
    const ada = store.learners.find(cohort.id, 'u-ada')!;
    store.learners.linkGithub(ada.id, 'ada-l', 'ada-l/rust-course', NOW);
    store.results.record({ learnerId: ada.id, exerciseId: firstExercise.id, status: 'passed', commit: 'abc', detail: null }, NOW);
    const started = await registry.execute(invocation('link-github', 'ada-l ada-l/second-try'), services);
    assert.match(started.footer ?? '', /Until then your results still come from ada-l\/rust-course/);
    fake.push('ada-l/second-try', { '.cohort-verify': codeIn(started.text) });
    const verified = await registry.execute(invocation('link-github', 'verify'), services);
    assert.match(verified.text ?? '', /instead of ada-l\/rust-course\. Credit already earned is kept/);
    assert.ok(store.results.listForLearner(ada.id).find((r) => r.exerciseId === firstExercise.id)?.firstPassedAt);
  });

  it('says GitHub did not answer, and changes nothing, when GitHub fails', async () => {
    const { services, registry, store, cohort } = await joined();
    fake.fault('ada-l/rust-course', { status: 503 });
    try {
      const reply = await registry.execute(invocation('link-github', 'ada-l ada-l/rust-course'), services);
      assert.match(reply.text ?? '', /GitHub did not answer just now[\s\S]*Nothing was changed/);
      assert.equal(store.linkRequests.find(store.learners.find(cohort.id, 'u-ada')!.id), undefined);
    } finally {
      fake.fault('ada-l/rust-course', undefined);
    }
  });

  it('says politely when the bot has no GitHub connection', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const reply = await registry.execute(invocation('link-github', 'ada-l ada-l/rust-course'), services);
    assert.match(reply.text ?? '', /not connected to GitHub yet[\s\S]*GITHUB_TOKEN/);
  });
});

describe('/sync and /cohort sync', () => {
  let fake: FakeGithub;
  before(async () => {
    fake = await FakeGithub.start();
    starterRepo(fake, course, 'syncer/rust-course');
    starterRepo(fake, course, 'other/rust-course');
  });
  after(() => fake.close());

  it('refreshes your own results at most once a minute', async () => {
    const { services, registry, store, clock } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const unlinked = await registry.execute(invocation('sync'), services);
    assert.match(unlinked.text ?? '', /You have not linked a GitHub repo yet/);

    const ada = linkedLearner(store, cohort, 'u-ada', 'syncer/rust-course', NOW);
    runChecks(fake, 'syncer/rust-course', [firstExercise.check]);
    const synced = await registry.execute(invocation('sync'), services);
    assert.equal(synced.title, 'Synced syncer/rust-course');
    assert.match(synced.fields?.[0]?.value ?? '', new RegExp(`1/${TOTAL} · 1 new`));

    clock.set(new Date(NOW.getTime() + 20_000));
    const tooSoon = await registry.execute(invocation('sync'), services);
    assert.match(tooSoon.text ?? '', /You synced less than a minute ago\.\nTry again in 40 s/);

    clock.set(new Date(NOW.getTime() + 61_000));
    const later = await registry.execute(invocation('sync'), services);
    assert.equal(later.title, 'Synced syncer/rust-course');
    assert.ok(store.results.listForLearner(ada.id).length > 0);
  });

  it('answers at once, instead of waiting for the hourly reset, when the GitHub allowance is spent', async () => {
    const small = await FakeGithub.start('ghp_small', { limit: 8 });
    try {
      starterRepo(small, course, 'one/rust-course');
      starterRepo(small, course, 'two/rust-course');
      const { services, registry, store } = await githubTestServices(small, NOW, { GITHUB_SYNC_SHARE: '0.5' });
      const cohort = berlinCohort(store);
      linkedLearner(store, cohort, 'u-one', 'one/rust-course', NOW);
      linkedLearner(store, cohort, 'u-two', 'two/rust-course', NOW);
      const first = await registry.execute(invocation('sync', '', { user: { id: 'u-one', displayName: 'One' } }), services);
      assert.equal(first.tone, 'success');
      const second = await registry.execute(invocation('sync', '', { user: { id: 'u-two', displayName: 'Two' } }), services);
      assert.equal(second.tone, 'warning');
      assert.match(second.fields?.[0]?.value ?? '', /used its GitHub allowance for this hour; two\/rust-course is read again after \d\d:\d\d UTC/);
    } finally {
      await small.close();
    }
  });

  it('/cohort sync refreshes every linked learner and names those it could not read', async () => {
    const { services, registry, store } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    linkedLearner(store, cohort, 'u-one', 'other/rust-course', NOW);
    linkedLearner(store, cohort, 'u-two', 'other/gone', NOW);
    store.learners.join(cohort.id, 'u-three', 'u-three', NOW);
    runChecks(fake, 'other/rust-course', [firstExercise.check]);
    const reply = await registry.execute(invocation('cohort', 'sync', { user: { id: 'org', displayName: 'Org', isOrganiser: true } }), services);
    assert.equal(reply.title, 'Synced Winter cohort');
    assert.match(reply.text ?? '', /1 of 2 linked repos read · 1 new passes · 1 learners have not linked a repo/);
    assert.match(reply.fields?.[0]?.value ?? '', /u-two: I cannot see other\/gone on GitHub/);
    const status = await registry.execute(invocation('cohort', 'status', { user: { id: 'org', displayName: 'Org', isOrganiser: true } }), services);
    assert.equal(status.fields?.find((f) => f.name === 'Learners')?.value, '3 (2 linked a repo)');
    const progress = await registry.execute(invocation('progress', '', { user: { id: 'u-two', displayName: 'u-two' } }), services);
    assert.match(progress.footer ?? '', /^Last sync: I cannot see other\/gone on GitHub/);
  });

  it('/progress shows a pass that did not count, and why', async () => {
    const { services, registry, store, clock } = await githubTestServices(fake, NOW);
    clock.set(new Date('2026-12-08T12:00:00Z'));
    const cohort = berlinCohort(store);
    linkedLearner(store, cohort, 'u-ada', 'syncer/rust-course', NOW);
    fake.push('syncer/rust-course', { '.github/workflows/course.yml': 'on: push\njobs: {}\n' });
    runChecks(fake, 'syncer/rust-course', [firstExercise.check]);
    const synced = await registry.execute(invocation('sync'), services);
    assert.match(synced.fields?.find((f) => f.name === 'Not counted')?.value ?? '', /\.github\/workflows\/course\.yml differs from the course's version/);
    const progress = await registry.execute(invocation('progress'), services);
    const line = `⚠️ ${firstExercise.title} (\`${firstExercise.id}\`) — The check passed, but .github/workflows/course.yml differs`;
    assert.ok(progress.fields?.[0]?.value.startsWith(line), progress.fields?.[0]?.value);
  });
});
