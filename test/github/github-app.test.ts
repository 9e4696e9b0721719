import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { linkedLearner, runChecks, starterRepo } from '../helpers/github-fixture.ts';
import { githubTestServices } from '../helpers/github-services.ts';
import { realCourse } from '../helpers/test-services.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const exercise = course.modules[0]!.exercises[0]!;

describe('GitHub App auth', () => {
  let fake: FakeGithub;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  before(async () => {
    fake = await FakeGithub.start('ghp_not_used_by_the_app');
    fake.enableApp('4242', publicKey);
    starterRepo(fake, course, 'app-user/course');
    starterRepo(fake, course, 'no-app/course');
    fake.install(77, ['app-user/course']);
  });
  after(() => fake.close());

  it('reads each repo with a token of the installation that covers it, and says where the app is missing', async () => {
    // The private key arrives on one line with \n escapes, as in a .env file.
    const { store, github } = await githubTestServices(fake, NOW, { GITHUB_APP_ID: '4242', GITHUB_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    assert.equal(github.mode, 'app');
    const cohort = berlinCohort(store);
    runChecks(fake, 'app-user/course', [exercise.check]);
    const withApp = linkedLearner(store, cohort, 'with', 'app-user/course', NOW);
    const withoutApp = linkedLearner(store, cohort, 'without', 'no-app/course', NOW);

    const report = await github.sync([withApp, withoutApp], { force: true });
    assert.equal(report.newPasses, 1);
    assert.deepEqual(report.failures, [{ learnerId: withoutApp.id, reason: "The bot cannot read no-app/course: install the course's GitHub App on it.", transient: false }]);
    const paths = fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.ok(paths.includes('GET /repos/app-user/course/installation 200'));
    assert.ok(paths.includes('POST /app/installations/77/access_tokens 201'));

    const info = await github.repo('app-user/course', NOW);
    assert.equal(info?.ownerLogin, 'app-user');
    assert.equal(await github.repo('no-app/course', NOW), undefined);
  });

  it('is refused by GitHub with a key that is not the app’s', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { store, github } = await githubTestServices(fake, NOW, { GITHUB_APP_ID: '4242', GITHUB_PRIVATE_KEY: other });
    const learner = linkedLearner(store, berlinCohort(store), 'with', 'app-user/course', NOW);
    const report = await github.sync([learner], { force: true });
    assert.match(report.failures[0]?.reason ?? '', /GitHub refused the bot's credentials while reading app-user\/course/);
    assert.equal(store.results.listForLearner(learner.id).length, 0);
  });
});
