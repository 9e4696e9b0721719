/** A bot process that only syncs: test/github/crash-restart.test.ts kills it in the middle. */
import { githubWiring } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createGithubService } from '../../src/github/github-service.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/store.ts';

const [databasePath = '', apiUrl = '', token = ''] = process.argv.slice(2);
const store = openStore(databasePath);
const course = loadCourse();
const github = createGithubService({
  config: loadConfig({ GITHUB_TOKEN: token, GITHUB_API_URL: apiUrl }).github,
  store,
  course,
  ...githubWiring(course, DEFAULT_CONTENT_DIR, store),
  clock: systemClock,
  logger: createLogger('silent'),
  onCelebrated: () => {},
  tuning: { snapshotBatch: 2, concurrency: 1 },
});
const report = await github!.pollOnce();
process.stdout.write(`finished ${report.newPasses}\n`);
store.close();
