import path from 'node:path';
import { Writable } from 'node:stream';
import type { Invocation, Services } from '../../src/chat/context.ts';
import { loadCommands } from '../../src/chat/load-commands.ts';
import { createRegistry, type Registry } from '../../src/chat/registry.ts';
import { createContentLinks } from '../../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { Course } from '../../src/core/course.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from './temp-dir.ts';

let course: Course | undefined;
/** The real course from content/, loaded once per test file. */
export function realCourse(): Course {
  course ??= loadCourse();
  return course;
}

/** Collects what a logger writes, as parsed JSON lines. */
export function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Real store on a temp file, the real course, a clock the test sets, logs captured. */
export async function testServices(now: Date) {
  const clock = fixedClock(now);
  const logs = captureLogs();
  const databasePath = path.join(tempDir(), 'test.db');
  const store = openStore(databasePath);
  const services: Services = {
    store,
    course: realCourse(),
    clock,
    logger: createLogger('debug', logs.stream),
    links: createContentLinks(DEFAULT_CONTENT_DIR, { contentBaseUrl: 'https://example.test/content' }),
    outbox: { wake: () => {} },
  };
  const registry: Registry = createRegistry(await loadCommands());
  return { services, registry, clock, logs, store, databasePath };
}

let nextId = 0;
/** An invocation as an adapter would build it; text arguments unless `values` are given. */
export function invocation(command: string, text = '', overrides: Partial<Invocation> = {}): Invocation {
  nextId += 1;
  return {
    id: `test-${nextId}`,
    platform: 'console',
    workspaceId: 'local',
    channelId: 'terminal',
    user: { id: 'u-ada', displayName: 'Ada' },
    command,
    args: { kind: 'text', text },
    ...overrides,
  };
}
