import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake GitHub REST API on 127.0.0.1 for Octokit, with real conditional-request behaviour: every 200 carries an
 * ETag, a matching If-None-Match gets 304 and costs no rate limit, and rate-limit headers count what was spent.
 * It grows with the GitHub watcher; today it serves repositories.
 */
export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  private?: boolean;
}

export class FakeGithub {
  readonly repos = new Map<string, FakeRepo>();
  /** Requests that counted against the rate limit (everything but 304s). */
  used = 0;
  readonly limit = 5000;
  readonly requests: { method: string; path: string; status: number }[] = [];
  private readonly http: Server;
  port = 0;

  constructor(readonly token: string) {
    this.http = createServer((req, res) => void this.handle(req, res));
  }

  static async start(token = 'ghp_fake_token'): Promise<FakeGithub> {
    const fake = new FakeGithub(token);
    fake.http.listen(0, '127.0.0.1');
    await once(fake.http, 'listening');
    fake.port = (fake.http.address() as AddressInfo).port;
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  addRepo(repo: FakeRepo): void {
    this.repos.set(`${repo.owner}/${repo.name}`.toLowerCase(), repo);
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    this.http.close();
    await once(this.http, 'close');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const chunk of req) void chunk;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (status: number, body?: unknown) => {
      this.requests.push({ method: req.method ?? 'GET', path, status });
      const text = body === undefined ? '' : JSON.stringify(body);
      const etag = `"${createHash('sha1').update(text).digest('hex')}"`;
      if (status === 200 && req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, ...this.rateHeaders() }).end();
        return;
      }
      this.used += 1;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(status === 200 ? { etag } : {}), ...this.rateHeaders() }).end(text);
    };
    if (req.headers.authorization !== `token ${this.token}` && req.headers.authorization !== `Bearer ${this.token}`) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && repoMatch) {
      const repo = this.repos.get(`${repoMatch[1]}/${repoMatch[2]}`.toLowerCase());
      if (!repo) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' });
      return send(200, {
        id: this.repos.size,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        owner: { login: repo.owner, type: 'User' },
        private: repo.private ?? false,
        default_branch: repo.defaultBranch,
      });
    }
    return send(404, { message: 'Not Found' });
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(this.limit - this.used),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
  }
}
