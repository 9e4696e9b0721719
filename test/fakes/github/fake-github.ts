import { createHash, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gitBlobSha } from '../../../src/content/git-blob-sha.ts';
import { annotationsBody, checkRunsBody, workflowRunsBody } from './fake-actions.ts';
import { reposNamed, runGraphql, type RateState } from './fake-graphql.ts';
import { addCheckRun, commitTo, fullNameKey, newRepo, resolveRef, treeEntries, treeSha, type CheckRunInput, type FakeCheckRun, type FakeRepo, type FakeRepoInput } from './fake-repos.ts';
import { applyFault, type FaultPlan } from '../fault-plan.ts';

export type { FakeRepo } from './fake-repos.ts';

type Resource = 'core' | 'graphql';
interface Fault {
  status?: number;
  /** Holds the answer this long (a timeout, from the client's side). */
  hangMs?: number;
  /** How many requests it applies to; unlimited when unset. */
  times?: number;
}

/**
 * A fake GitHub on 127.0.0.1 that Octokit talks to unmodified: REST (repos, branches, commits, check runs,
 * workflow runs, contents, git trees and blobs), GraphQL, GitHub App installation tokens, real ETag/304 answers, rate-limit
 * headers per resource with a reset window, 403/429 rate-limit answers with `retry-after`, and injectable
 * faults (5xx, slow answers) per repository.
 */
export class FakeGithub {
  readonly repos = new Map<string, FakeRepo>();
  readonly requests: { method: string; path: string; status: number; resource: Resource }[] = [];
  readonly rate: Record<Resource, RateState>;
  /** Added to every answer, like the round trip to api.github.com. */
  latencyMs = 0;
  /** Random faults on every API request (the chaos suite). */
  chaos: FaultPlan | undefined;
  private readonly faults = new Map<string, Fault>();
  private readonly pathFaults = new Map<string, number>();
  private secondaryLimited: { times: number; retryAfter: number } | undefined;
  private readonly tokens = new Map<string, (repo: FakeRepo) => boolean>();
  private app: { id: string; publicKey: KeyObject; installations: Map<number, Set<string>> } | undefined;
  private readonly http: Server;
  port = 0;

  constructor(
    readonly token: string,
    private readonly options: { limit?: number; windowMs?: number } = {},
  ) {
    this.tokens.set(token, () => true);
    const resetAt = Date.now() + this.windowMs;
    this.rate = { core: { limit: options.limit ?? 5000, used: 0, resetAt }, graphql: { limit: options.limit ?? 5000, used: 0, resetAt } };
    this.http = createServer((req, res) => void this.handle(req, res));
  }

  static async start(token = 'ghp_fake_token', options: { limit?: number; windowMs?: number } = {}): Promise<FakeGithub> {
    const fake = new FakeGithub(token, options);
    fake.http.listen(0, '127.0.0.1');
    await once(fake.http, 'listening');
    fake.port = (fake.http.address() as AddressInfo).port;
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private get windowMs(): number {
    return this.options.windowMs ?? 3_600_000;
  }

  /** Rate-limit points spent, REST and GraphQL together (a 304 spends none). */
  get used(): number {
    return this.rate.core.used + this.rate.graphql.used;
  }

  addRepo(input: FakeRepoInput): FakeRepo {
    const key = fullNameKey(input.owner, input.name);
    const existing = this.repos.get(key);
    if (existing) {
      Object.assign(existing, { defaultBranch: input.defaultBranch, private: input.private ?? existing.private, description: input.description ?? existing.description });
      if (input.files) commitTo(existing, input.files);
      return existing;
    }
    const repo = newRepo(input);
    this.repos.set(key, repo);
    return repo;
  }

  repo(fullName: string): FakeRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`fake GitHub has no ${fullName}`);
    return repo;
  }

  /** Pushes a commit to the default branch (with the given SHA, e.g. a recorded one); returns its SHA. */
  push(fullName: string, changes: Record<string, string | null>, sha?: string): string {
    return commitTo(this.repo(fullName), changes, sha);
  }

  /**
   * A check run on `headSha` (default: the head), as GitHub Actions or another app would create it. An Actions run
   * lands in the suite of the course's workflow unless `workflowPath` names another file (null: no workflow).
   */
  addCheckRun(fullName: string, run: Partial<CheckRunInput> & { name: string }): FakeCheckRun {
    const repo = this.repo(fullName);
    const headSha = run.headSha ?? repo.branches.get(repo.defaultBranch) ?? '';
    return addCheckRun(repo, { status: 'completed', conclusion: 'success', app: 'github-actions', ...run, headSha });
  }

  /** Every request naming this repository fails or hangs (REST by path, GraphQL by the repositories it asks for). */
  fault(fullName: string, fault: Fault | undefined): void {
    if (fault) this.faults.set(fullName.toLowerCase(), fault);
    else this.faults.delete(fullName.toLowerCase());
  }

  /** Every request for exactly this REST path answers `status` (undefined: served again). */
  failPath(path: string, status: number | undefined): void {
    if (status === undefined) this.pathFaults.delete(path);
    else this.pathFaults.set(path, status);
  }

  /** The next `times` requests get GitHub's secondary rate limit answer: 429 with `retry-after`. */
  secondaryLimit(times: number, retryAfter: number): void {
    this.secondaryLimited = { times, retryAfter };
  }

  /** Spends what is left of a resource's budget, as another client of the same token would. */
  exhaust(resource: Resource): void {
    this.rate[resource].used = this.rate[resource].limit;
  }

  /** Turns on GitHub App auth: JWTs signed with the app's key, and installations that each see some repositories. */
  enableApp(id: string, publicKey: KeyObject): void {
    this.app = { id, publicKey, installations: new Map() };
  }

  install(installationId: number, fullNames: string[]): void {
    if (!this.app) throw new Error('enableApp first');
    this.app.installations.set(installationId, new Set(fullNames.map((n) => n.toLowerCase())));
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    this.http.close();
    await once(this.http, 'close');
  }

  private rateHeaders(resource: Resource): Record<string, string> {
    const state = this.rate[resource];
    return {
      'x-ratelimit-limit': String(state.limit),
      'x-ratelimit-remaining': String(Math.max(0, state.limit - state.used)),
      'x-ratelimit-used': String(state.used),
      'x-ratelimit-reset': String(Math.ceil(state.resetAt / 1000)),
      'x-ratelimit-resource': resource,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const method = req.method ?? 'GET';
    const resource: Resource = path === '/graphql' ? 'graphql' : 'core';
    for (const state of Object.values(this.rate)) {
      if (Date.now() >= state.resetAt) Object.assign(state, { used: 0, resetAt: Date.now() + this.windowMs });
    }
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    const send = (status: number, body?: unknown, extraHeaders: Record<string, string> = {}, cost = 1) => {
      this.requests.push({ method, path, status, resource });
      const text = body === undefined ? '' : JSON.stringify(body);
      const etag = `"${createHash('sha1').update(text).digest('hex')}"`;
      if (status === 200 && method === 'GET' && req.headers['if-none-match'] === etag) {
        this.requests[this.requests.length - 1]!.status = 304;
        res.writeHead(304, { etag, ...this.rateHeaders(resource) }).end();
        return;
      }
      if (resource === 'core' && status < 500) this.rate.core.used += cost;
      const headers = { 'content-type': 'application/json; charset=utf-8', ...(status === 200 ? { etag } : {}), ...this.rateHeaders(resource), ...extraHeaders };
      res.writeHead(status, headers).end(text);
    };

    let body: Record<string, unknown> = {};
    try {
      body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return send(400, { message: 'Problems parsing JSON' }, {}, 0);
    }

    const chaos = this.chaos?.next();
    if (chaos) {
      const answers = {
        serverError: () => send(502, { message: 'Server Error' }, {}, 0),
        rateLimited: () =>
          send(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' }, { 'retry-after': '1' }, 0),
      };
      if (await applyFault(chaos, res, answers, this.chaos!.timeoutMs)) return;
    }

    const named = resource === 'graphql' ? reposNamed(body) : [/^\/repos\/([^/]+)\/([^/]+)/.exec(path)].flatMap((m) => (m ? [fullNameKey(m[1]!, m[2]!)] : []));
    for (const name of named) {
      const fault = this.faults.get(name);
      if (!fault) continue;
      if (fault.times !== undefined && fault.times-- <= 0) continue;
      if (fault.hangMs) await sleep(fault.hangMs);
      if (fault.status) return send(fault.status, { message: 'Server Error' }, {}, 0);
    }
    const pathFault = this.pathFaults.get(path);
    if (pathFault !== undefined) return send(pathFault, { message: 'Server Error' }, {}, 0);
    if (this.secondaryLimited && this.secondaryLimited.times > 0) {
      this.secondaryLimited.times -= 1;
      return send(429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' }, { 'retry-after': String(this.secondaryLimited.retryAfter) }, 0);
    }

    const authorization = req.headers.authorization ?? '';
    if (this.app && method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) return this.issueInstallationToken(path, authorization, send);
    if (this.app && method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/installation$/.test(path)) return this.findInstallation(path, authorization, send);
    if (method === 'GET' && path === '/app') {
      if (!this.app || !this.verifyAppJwt(authorization)) return send(401, { message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' }, {}, 0);
      return send(200, { id: Number(this.app.id), slug: 'cohort-bot', name: 'cohort-bot', owner: { login: 'course', type: 'Organization' }, permissions: { checks: 'read', contents: 'read', metadata: 'read', actions: 'read' } }, {}, 0);
    }

    const canSee = this.tokens.get(authorization.replace(/^(token|bearer) /i, ''));
    if (!canSee) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, {}, 0);

    const state = this.rate[resource];
    if (state.used >= state.limit) {
      const message = `API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.`;
      return send(403, { message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, {}, 0);
    }

    // GET /rate_limit costs nothing, as on GitHub.
    if (method === 'GET' && path === '/rate_limit') {
      const state = (r: Resource) => ({ limit: this.rate[r].limit, used: this.rate[r].used, remaining: Math.max(0, this.rate[r].limit - this.rate[r].used), reset: Math.ceil(this.rate[r].resetAt / 1000) });
      return send(200, { resources: { core: state('core'), graphql: state('graphql') }, rate: state('core') }, {}, 0);
    }
    if (resource === 'graphql' && method === 'POST') {
      const answer = runGraphql(body, this.repos, canSee, this.rate.graphql);
      return send(answer.status, answer.body, {}, 0);
    }
    if (method !== 'GET') return send(404, { message: 'Not Found' });
    return this.rest(path, url.searchParams, canSee, send);
  }

  private rest(path: string, query: URLSearchParams, canSee: (repo: FakeRepo) => boolean, send: (status: number, body?: unknown) => void): void {
    const notFound = () => send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const match = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!match) return notFound();
    const repo = this.repos.get(fullNameKey(match[1]!, match[2]!));
    if (!repo || !canSee(repo)) return notFound();
    const rest = match[3] ?? '';
    if (rest === '') {
      return send(200, {
        id: repo.id,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        owner: { login: repo.owner, type: 'User' },
        private: repo.private,
        description: repo.description,
        default_branch: repo.defaultBranch,
      });
    }
    let part: RegExpExecArray | null;
    if ((part = /^branches\/(.+)$/.exec(rest))) {
      const sha = repo.branches.get(decodeURIComponent(part[1]!));
      return sha ? send(200, { name: decodeURIComponent(part[1]!), commit: { sha, commit: { message: 'commit' } }, protected: false }) : notFound();
    }
    if ((part = /^commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const commit = resolveRef(repo, decodeURIComponent(part[1]!));
      if (!commit) return send(422, { message: `No commit found for SHA: ${part[1]}` });
      return send(200, checkRunsBody(repo, commit.sha, query));
    }
    if (rest === 'actions/runs') return send(200, workflowRunsBody(repo, query));
    if ((part = /^check-runs\/(\d+)\/annotations$/.exec(rest))) {
      const run = repo.checkRuns.find((r) => r.id === Number(part![1]));
      return run ? send(200, annotationsBody(repo, run, query)) : notFound();
    }
    if ((part = /^commits\/([^/]+)$/.exec(rest))) {
      const commit = resolveRef(repo, decodeURIComponent(part[1]!));
      return commit ? send(200, { sha: commit.sha, commit: { message: 'commit', tree: { sha: treeSha(commit, '') } } }) : send(422, { message: `No commit found for SHA: ${part[1]}` });
    }
    if ((part = /^contents\/(.+)$/.exec(rest))) {
      const commit = resolveRef(repo, query.get('ref') ?? 'HEAD');
      const filePath = decodeURIComponent(part[1]!);
      const content = commit?.files.get(filePath);
      if (content === undefined) return notFound();
      const name = filePath.split('/').at(-1);
      return send(200, { type: 'file', encoding: 'base64', size: Buffer.byteLength(content), name, path: filePath, sha: gitBlobSha(content), content: Buffer.from(content).toString('base64') });
    }
    if ((part = /^git\/trees\/(.+)$/.exec(rest))) {
      const commit = resolveRef(repo, decodeURIComponent(part[1]!));
      if (!commit) return notFound();
      const tree = query.get('recursive')
        ? [...commit.files].map(([p, content]) => ({ path: p, mode: '100644', type: 'blob', sha: gitBlobSha(content), size: Buffer.byteLength(content) }))
        : (treeEntries(commit, '') ?? []).map((e) => ({ path: e.name, mode: e.type === 'tree' ? '040000' : '100644', type: e.type, sha: e.sha }));
      return send(200, { sha: treeSha(commit, ''), tree, truncated: false });
    }
    if ((part = /^git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      for (const commit of repo.commits.values()) {
        for (const content of commit.files.values()) {
          if (gitBlobSha(content) === part[1]) return send(200, { sha: part[1], size: Buffer.byteLength(content), encoding: 'base64', content: Buffer.from(content).toString('base64') });
        }
      }
      return notFound();
    }
    return notFound();
  }

  /** A JWT signed RS256 by the app's private key, issued by the app id, not expired. */
  private verifyAppJwt(authorization: string): boolean {
    const token = /^bearer (.+)$/i.exec(authorization)?.[1];
    const [header, payload, signature] = token?.split('.') ?? [];
    if (!this.app || !header || !payload || !signature) return false;
    const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
    if (!verifier.verify(this.app.publicKey, Buffer.from(signature, 'base64url'))) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number };
    return String(claims.iss) === this.app.id && (claims.exp ?? 0) * 1000 > Date.now();
  }

  private findInstallation(path: string, authorization: string, send: (status: number, body?: unknown) => void): void {
    if (!this.verifyAppJwt(authorization)) return send(401, { message: 'A JSON web token could not be decoded' });
    const [, owner = '', name = ''] = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path) ?? [];
    for (const [id, repos] of this.app!.installations) {
      if (repos.has(fullNameKey(owner, name))) return send(200, { id, account: { login: owner }, app_id: Number(this.app!.id) });
    }
    return send(404, { message: 'Not Found' });
  }

  private issueInstallationToken(path: string, authorization: string, send: (status: number, body?: unknown) => void): void {
    if (!this.verifyAppJwt(authorization)) return send(401, { message: 'A JSON web token could not be decoded' });
    const id = Number(/\/installations\/(\d+)\//.exec(path)?.[1]);
    const repos = this.app!.installations.get(id);
    if (!repos) return send(404, { message: 'Not Found' });
    const token = `ghs_${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, (repo) => repos.has(fullNameKey(repo.owner, repo.name)));
    send(201, { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { checks: 'read', contents: 'read', metadata: 'read' }, repository_selection: 'selected' });
  }
}
