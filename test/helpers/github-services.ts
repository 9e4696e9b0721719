import { loadConfig } from '../../src/config.ts';
import { githubWiring } from '../../src/app.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { createGithubService } from '../../src/github/github-service.ts';
import type { FakeGithub } from '../fakes/github/fake-github.ts';
import { realCourse, testServices } from './test-services.ts';

/** testServices() with GitHub pointed at a fake, retries and timeouts shortened. */
export async function githubTestServices(fake: FakeGithub, now: Date, env: Record<string, string> = {}) {
  const base = await testServices(now);
  const config = loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl, ...env });
  const github = createGithubService({
    config: config.github,
    store: base.store,
    course: realCourse(),
    ...githubWiring(realCourse(), DEFAULT_CONTENT_DIR, base.store),
    clock: base.clock,
    logger: base.services.logger,
    onCelebrated: () => {},
    tuning: { retryBaseMs: 5, timeoutMs: 2000 },
  });
  if (!github) throw new Error('GitHub service not created');
  base.services.github = github;
  return { ...base, github };
}
