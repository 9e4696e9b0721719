import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { components, operations } from '@octokit/openapi-types';
import { workflowFilePath } from '../../src/github/rest-snapshots.ts';
import { annotationBody } from '../fakes/github/fake-actions.ts';
import { readRecordedCase, RECORDED_CASES } from '../fakes/github/recorded-checks.ts';
import { annotationsFromStepLog } from '../fakes/github/workflow-commands.ts';

/**
 * The REST answers the bot reads, held to GitHub's REST description. @octokit/openapi (the description itself) is
 * ~400 MB unpacked, so the check is made through @octokit/openapi-types, generated from that description: field
 * and parameter names below are type-checked against it by tsc, and the recorded fixtures are checked against
 * them at run time.
 */
type CheckRun = components['schemas']['check-run'];
type WorkflowRun = components['schemas']['workflow-run'];
type CheckAnnotation = components['schemas']['check-annotation'];

// tsc rejects any name here that the description does not give these schemas.
const CHECK_RUN_FIELDS = ['id', 'name', 'head_sha', 'status', 'conclusion', 'completed_at', 'app', 'check_suite'] as const satisfies readonly (keyof CheckRun)[];
const WORKFLOW_RUN_FIELDS = ['id', 'head_sha', 'check_suite_id', 'path'] as const satisfies readonly (keyof WorkflowRun)[];
// Every field of a check annotation, exactly: the fake serves them all and the bot reads three.
const ANNOTATION_FIELDS: Record<keyof CheckAnnotation, 'string' | 'number' | 'string|null' | 'number|null'> = {
  path: 'string',
  start_line: 'number',
  end_line: 'number',
  start_column: 'number|null',
  end_column: 'number|null',
  annotation_level: 'string|null',
  title: 'string|null',
  message: 'string|null',
  raw_details: 'string|null',
  blob_href: 'string',
};
const READ_ANNOTATION_FIELDS = ['annotation_level', 'title', 'message'] as const satisfies readonly (keyof CheckAnnotation)[];

// Every value the description allows, no more: a Record over the union fails to compile if one is missing or extra.
const STATUSES: Record<CheckRun['status'], true> = { queued: true, in_progress: true, completed: true, waiting: true, requested: true, pending: true };
const CONCLUSIONS: Record<NonNullable<CheckRun['conclusion']>, true> = {
  success: true,
  failure: true,
  neutral: true,
  cancelled: true,
  skipped: true,
  timed_out: true,
  action_required: true,
};
// The bot's query parameters, as the description lists them for these two operations.
export const BOT_QUERIES = {
  checkRuns: { filter: 'all', per_page: 100 } satisfies NonNullable<operations['checks/list-for-ref']['parameters']['query']>,
  runsAtHead: { head_sha: '5c1f0e8b2a9d47c3e6b18f04a2d95c7e3b60f1a8', per_page: 100 } satisfies NonNullable<operations['actions/list-workflow-runs-for-repo']['parameters']['query']>,
  runsOfSuite: { check_suite_id: 31852213377, per_page: 100 } satisfies NonNullable<operations['actions/list-workflow-runs-for-repo']['parameters']['query']>,
  annotations: { per_page: 50 } satisfies NonNullable<operations['checks/list-annotations']['parameters']['query']>,
  annotationsPath: { owner: 'ada', repo: 'course', check_run_id: 35405720031 } satisfies operations['checks/list-annotations']['parameters']['path'],
};

const isTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

describe('REST answers against GitHub REST description', () => {
  for (const name of RECORDED_CASES) {
    it(`${name}: the recorded check runs and workflow runs have the fields the bot reads, typed as described`, () => {
      const recorded = readRecordedCase(name);
      assert.equal(recorded.checkRuns.total_count, recorded.checkRuns.check_runs.length);
      for (const run of recorded.checkRuns.check_runs as unknown as Record<string, unknown>[]) {
        for (const field of CHECK_RUN_FIELDS) assert.ok(field in run, `check run ${String(run.id)} has ${field}`);
        assert.equal(typeof run.id, 'number');
        assert.equal(typeof run.name, 'string');
        assert.match(String(run.head_sha), /^[0-9a-f]{40}$/);
        assert.ok(Object.hasOwn(STATUSES, String(run.status)), `status ${String(run.status)}`);
        assert.ok(run.conclusion === null || Object.hasOwn(CONCLUSIONS, String(run.conclusion)), `conclusion ${String(run.conclusion)}`);
        assert.ok(run.completed_at === null || isTime(run.completed_at));
        const app = run.app as { slug?: unknown } | null;
        assert.ok(app === null || typeof app.slug === 'string');
        const suite = run.check_suite as { id?: unknown } | null;
        assert.ok(suite === null || typeof suite.id === 'number');
      }
      assert.equal(recorded.workflowRuns.total_count, recorded.workflowRuns.workflow_runs.length);
      for (const run of recorded.workflowRuns.workflow_runs as unknown as Record<string, unknown>[]) {
        for (const field of WORKFLOW_RUN_FIELDS) assert.ok(field in run, `workflow run ${String(run.id)} has ${field}`);
        assert.equal(run.head_sha, recorded.headSha, 'listed by head_sha');
        assert.equal(typeof run.check_suite_id, 'number');
        assert.equal(typeof run.path, 'string');
      }
    });
  }

  it("the fake's check-run annotations have exactly the described fields, typed as described, and carry what the bot reads", () => {
    const annotations = annotationsFromStepLog('::error title=Failing test::lru::evicts\n::error file=src/lib.rs,line=4::boom\n::warning::careful');
    for (const annotation of annotations.map((a) => annotationBody(a, 'ada/course', 'a'.repeat(40))) as Record<string, unknown>[]) {
      assert.deepEqual(Object.keys(annotation).sort(), Object.keys(ANNOTATION_FIELDS).sort());
      for (const [field, type] of Object.entries(ANNOTATION_FIELDS)) {
        const value = annotation[field];
        const allowed = type.split('|').map((t) => (t === 'null' ? null : t));
        assert.ok(allowed.includes(value === null ? null : typeof value), `${field}: ${String(value)} is not ${type}`);
      }
      for (const field of READ_ANNOTATION_FIELDS) assert.ok(field in annotation);
    }
    assert.deepEqual(annotations.map((a) => [a.path, a.startLine, a.level]), [['.github', 1, 'failure'], ['src/lib.rs', 4, 'failure'], ['.github', 1, 'warning']]);
  });

  it("GitHub's recorded webhook payloads link a check run to its suite and a workflow run to its suite and file", () => {
    const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Record<string, unknown>[] }[];
    const of = (event: string) => examples.find((e) => e.name === event)?.examples ?? [];
    for (const payload of of('check_run')) assert.equal(typeof (payload.check_run as { check_suite: { id: unknown } }).check_suite.id, 'number');
    const paths = of('workflow_run').flatMap((payload) => {
      const run = payload.workflow_run as { check_suite_id: unknown; path?: string; repository: { full_name: string } };
      assert.equal(typeof run.check_suite_id, 'number');
      return run.path === undefined ? [] : [[run.path, run.repository.full_name] as const];
    });
    assert.ok(paths.length > 0);
    // Real payloads carry a plain path in the repository: the reader keeps it as it is.
    for (const [path, repo] of paths) {
      assert.match(path, /^\.github\/workflows\/[^/@]+\.ya?ml$/);
      assert.equal(workflowFilePath(path, repo), path);
    }
  });
});
