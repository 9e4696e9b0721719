import { scheduledMessages } from '../../src/chat/views/scheduled-messages.ts';
import { createContentLinks } from '../../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { createLogger } from '../../src/logger.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { openStore } from '../../src/store/store.ts';

/**
 * One scheduler round in a process of its own, as the bot runs it: `<database> <now ISO> <kill at>` — with a kill
 * point n > 0, the process sends itself SIGKILL as the n-th message of the round is being rendered, mid-transaction,
 * as a crash or an OOM kill would stop it. Prints how many messages it rendered when it finishes.
 */
const [database = '', nowText = '', killText = '0'] = process.argv.slice(2);
const now = new Date(nowText);
const killAt = Number(killText);
const store = openStore(database);
const course = loadCourse();
let rendered = 0;
const renders = scheduledMessages(course, createContentLinks(DEFAULT_CONTENT_DIR, {}));
const killing = <A extends unknown[], R>(render: (...args: A) => R) => (...args: A): R => {
  rendered += 1;
  if (rendered === killAt) process.kill(process.pid, 'SIGKILL');
  return render(...args);
};
const scheduler = createScheduler({
  store,
  course,
  clock: { now: () => now },
  logger: createLogger('silent'),
  onPosted: () => {},
  render: killing(renders.render),
  renderBoard: killing(renders.renderBoard),
  renderReminder: killing(renders.renderReminder),
  renderDigest: killing(renders.renderDigest),
  renderIntroduction: killing(renders.renderIntroduction),
  renderNudge: killing(renders.renderNudge),
});
scheduler.tick();
store.close();
process.stdout.write(`${rendered}\n`);
