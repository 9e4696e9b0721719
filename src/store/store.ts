import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createBuddyQueries } from './buddies.ts';
import { createCohortQueries } from './cohorts.ts';
import { createDigestRankQueries } from './digest-ranks.ts';
import { createExerciseResultQueries } from './exercise-results.ts';
import { createGithubCacheQueries } from './github-cache.ts';
import { createHintRevealQueries } from './hint-reveals.ts';
import { createGithubDeliveryQueries } from './github-deliveries.ts';
import { createLinkRequestQueries, createSyncStateQueries } from './github-links.ts';
import { createLearnerQueries } from './learners.ts';
import { createNudgeFactQueries } from './nudge-facts.ts';
import { createOrganiserQueries } from './organisers.ts';
import { createOutboxQueries } from './outbox.ts';
import { createPostQueries } from './posts.ts';
import { createRateLimitQueries } from './rate-limits.ts';
import { createStandingsQueries } from './standings.ts';
import { migrate } from './migrate.ts';
import { openDatabase, type Db } from './open-database.ts';

/** The most pages better-sqlite3 lets one backup step copy (a C int): in effect, all of them. */
const ALL_PAGES = 0x7fffffff;

/** Everything the rest of the bot may ask of the database; no SQL lives outside src/store/. */
export interface Store {
  cohorts: ReturnType<typeof createCohortQueries>;
  learners: ReturnType<typeof createLearnerQueries>;
  results: ReturnType<typeof createExerciseResultQueries>;
  outbox: ReturnType<typeof createOutboxQueries>;
  organisers: ReturnType<typeof createOrganiserQueries>;
  posts: ReturnType<typeof createPostQueries>;
  githubDeliveries: ReturnType<typeof createGithubDeliveryQueries>;
  githubCache: ReturnType<typeof createGithubCacheQueries>;
  linkRequests: ReturnType<typeof createLinkRequestQueries>;
  syncState: ReturnType<typeof createSyncStateQueries>;
  rateLimits: ReturnType<typeof createRateLimitQueries>;
  standings: ReturnType<typeof createStandingsQueries>;
  digestRanks: ReturnType<typeof createDigestRankQueries>;
  buddies: ReturnType<typeof createBuddyQueries>;
  nudgeFacts: ReturnType<typeof createNudgeFactQueries>;
  hints: ReturnType<typeof createHintRevealQueries>;
  /** Why the database cannot serve (closed, unreadable), or undefined. */
  problem(): string | undefined;
  /** An online, consistent copy of the database into `file` (SQLite's backup API), while the bot keeps running. */
  backup(file: string): Promise<void>;
  /** Runs `work` in one transaction: all of its writes land, or none. */
  transaction<T>(work: () => T): T;
  close(): void;
}

export interface OpenStoreOptions {
  migrationsDir?: string;
}

/** Opens (creating if needed) the database file, brings its schema up to date and prepares every query. */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = openDatabase(file);
  try {
    migrate(db, options.migrationsDir);
  } catch (error) {
    db.close();
    throw error;
  }
  return createStore(db);
}

function createStore(db: Db): Store {
  const results = createExerciseResultQueries(db);
  return {
    cohorts: createCohortQueries(db),
    learners: createLearnerQueries(db),
    results,
    outbox: createOutboxQueries(db),
    organisers: createOrganiserQueries(db),
    posts: createPostQueries(db),
    githubDeliveries: createGithubDeliveryQueries(db),
    githubCache: createGithubCacheQueries(db),
    linkRequests: createLinkRequestQueries(db),
    syncState: createSyncStateQueries(db),
    rateLimits: createRateLimitQueries(db),
    standings: createStandingsQueries(db),
    digestRanks: createDigestRankQueries(db),
    buddies: createBuddyQueries(db),
    nudgeFacts: createNudgeFactQueries(db, results),
    hints: createHintRevealQueries(db),
    problem() {
      if (!db.open) return 'the database is closed';
      try {
        db.prepare('SELECT 1').get();
        return undefined;
      } catch (error) {
        return `the database does not answer: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    backup: async (file) => {
      // All pages in one step: copied in steps, a backup restarts whenever the bot writes between two of them, and
      // a busy bot could keep it restarting for ever. One step holds a read lock for the copy: consistent, and done.
      // Not "the total so far": the file may grow between better-sqlite3's first (empty) step and the next, and a
      // step sized to the old total would leave pages for a third, which a write in between restarts.
      await db.backup(file, { progress: () => ALL_PAGES });
    },
    transaction: (work) => db.transaction(work)(),
    close: () => db.close(),
  };
}
