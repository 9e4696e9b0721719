import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { loadCommands } from '../../src/chat/load-commands.ts';
import { openStore } from '../../src/store/store.ts';
import { FakeDiscord, FAKE_IDS, ORGANISER } from '../fakes/discord/fake-discord.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { FAKE_TEAM, FakeSlack, signSlackRequest, SLACK_ADMIN } from '../fakes/slack/fake-slack.ts';
import { hostileRequests, type HostileRequest } from '../fixtures/hostile/http-requests.ts';
import { cleanEnv } from '../helpers/clean-env.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { freePort } from '../helpers/free-port.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

/**
 * Every hostile value in test/fixtures/hostile/option-values.json through every option of every command (and as
 * stray text to commands that take none) on each adapter: the terminal's (the registry with typed text), Slack's
 * (signed slash commands to the real bot process) and Discord's (interactions through the fake gateway, string
 * options); then every hostile request in http-requests.ts at every route. No answer may be the "something went
 * wrong on my side" path, a refusal is private, no answer echoes a long value or can mention anyone, nothing stored
 * holds control or text-direction characters, and a 10 MB body is refused before it is read.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const SECRETS = { webhook: 'hostile-webhook-secret-0123', slackSigning: 'hostile-slack-signing-0123', metrics: 'hostile-metrics-token-0123' };
const INTERNAL = /Something went wrong on my side/;
const REFUSAL = 'Sorry, I could not do that';
const MAX_REPLY_CHARS = 16_000;
const MAX_LOG_LINE = 8_192;

interface Value {
  category: string;
  label: string;
  text: string;
}

function hostileValues(): Value[] {
  const file = path.join(REPO, 'test/fixtures/hostile/option-values.json');
  const { values } = JSON.parse(readFileSync(file, 'utf8')) as { values: { category: string; label: string; value?: string; repeat?: string; times?: number }[] };
  return values.map((v) => ({ category: v.category, label: v.label, text: (v.value ?? '') + (v.repeat ?? '').repeat(v.times ?? 0) }));
}

interface Target {
  command: string;
  subcommand?: string;
  option?: string;
  wireType?: string;
}

async function targets(): Promise<Target[]> {
  const list: Target[] = [];
  for (const command of await loadCommands()) {
    const actions = command.action ? [[undefined, command.action] as const] : Object.entries(command.subcommands ?? {});
    for (const [subcommand, action] of actions) {
      const options = Object.entries(action.options);
      if (options.length === 0) list.push({ command: command.name, ...(subcommand ? { subcommand } : {}) });
      for (const [option, spec] of options) list.push({ command: command.name, ...(subcommand ? { subcommand } : {}), option, wireType: spec.wireType });
    }
  }
  return list;
}

const textOf = (target: Target, value: string) => [target.subcommand, target.option ? `${target.option}=${value}` : value].filter((p) => p !== undefined).join(' ');
const where = (target: Target, value: Value) => `/${target.command}${target.subcommand ? ` ${target.subcommand}` : ''}${target.option ? ` ${target.option}` : ''} ← ${value.category}: ${value.label}`;

describe('hostile input through every command on every adapter and every HTTP route', { timeout: 20 * 60_000 }, () => {
  it('no crash, private refusals, no echo, no mention, nothing unsafe stored, big bodies refused early', async (t) => {
    const values = hostileValues();
    const allTargets = await targets();
    assert.ok(values.length >= 150, `the corpus has ${values.length} values`);
    const problems: string[] = [];
    const problem = (text: string) => {
      if (problems.length < 50) problems.push(text);
    };
    const figures: string[] = [];

    // The terminal adapter: the registry with typed text, as the console adapter calls it.
    {
      const { services, registry, store, databasePath: terminalDb } = await testServices(new Date('2026-12-10T12:00:00Z'));
      berlinCohort(store);
      const organiser = { id: 'u-grace', displayName: 'Grace', isOrganiser: true };
      await registry.execute(invocation('join', '', { user: organiser }), services);
      let tried = 0;
      for (const target of allTargets) {
        for (const value of values) {
          tried += 1;
          const reply = await registry.execute(invocation(target.command, textOf(target, value.text), { user: organiser }), services);
          const json = JSON.stringify(reply);
          if (INTERNAL.test(json)) problem(`terminal ${where(target, value)}: internal error`);
          if (reply.tone === 'error' && !reply.private) problem(`terminal ${where(target, value)}: a refusal shown to everyone`);
          if (json.length > MAX_REPLY_CHARS) problem(`terminal ${where(target, value)}: a reply of ${json.length} characters`);
        }
      }
      store.close();
      problems.push(...unsafeStored(terminalDb, 'terminal'));
      figures.push(`hostile: terminal: ${tried} invocations (${values.length} values × ${allTargets.length} command options)`);
    }

    const github = await FakeGithub.start();
    const slack = await FakeSlack.start();
    const discord = await FakeDiscord.start();
    const databasePath = path.join(tempDir(), 'hostile.db');
    const port = await freePort();
    let bot: ChildProcess | undefined;
    let log = '';
    try {
      const store = openStore(databasePath);
      const now = new Date();
      for (const [platform, workspaceId, channelId, organiser] of [
        ['discord', FAKE_IDS.guildId, FAKE_IDS.channelId, ORGANISER.id],
        ['slack', FAKE_TEAM.teamId, FAKE_TEAM.channelId, SLACK_ADMIN.id],
      ] as const) {
        const cohort = store.cohorts.create({ platform, workspaceId, channelId, name: `Hostile ${platform}`, startDate: '2026-11-02', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, now);
        store.learners.join(cohort.id, organiser, 'Grace', now);
      }
      store.close();
      bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: REPO,
        env: {
          ...cleanEnv(),
          DATABASE_PATH: databasePath,
          PORT: String(port),
          CONTENT_BASE_URL: 'https://example.test/content',
          LOG_LEVEL: 'info',
          METRICS_TOKEN: SECRETS.metrics,
          DISCORD_TOKEN: discord.token,
          DISCORD_APPLICATION_ID: FAKE_IDS.applicationId,
          DISCORD_GUILD_ID: FAKE_IDS.guildId,
          DISCORD_API_URL: discord.apiUrl,
          SLACK_BOT_TOKEN: slack.botToken,
          SLACK_SIGNING_SECRET: SECRETS.slackSigning,
          SLACK_API_URL: slack.apiUrl,
          GITHUB_TOKEN: github.token,
          GITHUB_API_URL: github.apiUrl,
          GITHUB_WEBHOOK_SECRET: SECRETS.webhook,
          GITHUB_POLL_MINUTES: '59',
          // V8 grows its heap lazily; capped, the bot must live through the whole corpus in 160 MB of heap.
          NODE_OPTIONS: '--max-old-space-size=160',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      bot.stdout?.on('data', (chunk) => (log += String(chunk)));
      bot.stderr?.on('data', (chunk) => (log += String(chunk)));
      await ready(bot, port, () => log);
      const base = `http://127.0.0.1:${port}`;

      // Slack: signed slash commands under the app command, answered in the HTTP response or at response_url.
      {
        let tried = 0;
        for (const target of allTargets) {
          for (const value of values) {
            tried += 1;
            const { body, responseId } = slack.slashCommand({ command: '/cohort-bot', text: `${target.command} ${textOf(target, value.text)}`, user: SLACK_ADMIN });
            const response = await fetch(`${base}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SECRETS.slackSigning, body) }).catch((error: unknown) => error as Error);
            if (response instanceof Error) {
              problem(`slack ${where(target, value)}: ${response.message}`);
              continue;
            }
            const inline = await response.text();
            if (response.status !== 200) problem(`slack ${where(target, value)}: HTTP ${response.status}`);
            const later = slack.responses.filter((r) => r.id === responseId).map((r) => JSON.stringify(r.body));
            for (const json of [inline, ...later].filter((j) => j.length > 0)) {
              if (INTERNAL.test(json)) problem(`slack ${where(target, value)}: internal error`);
              if (json.includes(REFUSAL) && /"response_type":"in_channel"/.test(json)) problem(`slack ${where(target, value)}: a refusal shown to everyone`);
              if (json.length > MAX_REPLY_CHARS) problem(`slack ${where(target, value)}: a reply of ${json.length} characters`);
              const mention = slackMention(json);
              if (mention) problem(`slack ${where(target, value)}: mentions ${mention}`);
            }
          }
        }
        figures.push(`hostile: Slack: ${tried} signed slash commands`);
      }

      // Discord: what a Discord client can send, string options with every value (Discord checks numbers and ids).
      {
        const stringTargets = allTargets.filter((target) => target.wireType === 'string');
        const pending: { token: string; label: string }[] = [];
        for (const target of stringTargets) {
          for (const value of values) {
            const token = discord.sendInteraction({ user: ORGANISER, command: target.command, ...(target.subcommand ? { subcommand: target.subcommand } : {}), options: [{ name: target.option!, value: value.text }] });
            pending.push({ token, label: where(target, value) });
            // A few at a time, as members would type them: the gateway's order and the bot's 3-second window hold.
            if (pending.length % 20 === 0) await answered(discord, pending.slice(-20).map((p) => p.token));
          }
        }
        await answered(discord, pending.map((p) => p.token));
        for (const { token, label } of pending) {
          for (const response of discord.responses.get(token) ?? []) {
            const data = (response.kind === 'callback' ? response.body.data : response.body) as Record<string, unknown> | undefined;
            if (!data) continue;
            const json = JSON.stringify(data);
            if (INTERNAL.test(json)) problem(`discord ${label}: internal error`);
            if (json.includes(REFUSAL) && (Number(data.flags ?? 0) & 64) === 0 && response.kind === 'callback') problem(`discord ${label}: a refusal shown to everyone`);
            if (json.length > MAX_REPLY_CHARS) problem(`discord ${label}: a reply of ${json.length} characters`);
            const mention = discordMention(data);
            if (mention) problem(`discord ${label}: ${mention}`);
          }
        }
        for (const message of discord.channelMessages) {
          const mention = discordMention(message.body);
          if (mention) problem(`discord channel message: ${mention}`);
        }
        figures.push(`hostile: Discord: ${pending.length} interactions (${values.length} values × ${stringTargets.length} string options)`);
      }

      // Every HTTP route, with hostile and malformed requests; the bot must stay up and answer each plainly.
      {
        const requests = hostileRequests(SECRETS);
        for (const hostile of requests) {
          const answer = await send(base, hostile);
          if (!hostile.expect.includes(answer.status)) problem(`HTTP ${hostile.label}: answered ${answer.status || answer.error}, expected ${hostile.expect.join(' or ')}`);
          if (answer.sentBytes > 2 * 1024 * 1024) problem(`HTTP ${hostile.label}: the bot read ${answer.sentBytes} bytes before refusing`);
          if (answer.body.length > 4_096 && !hostile.echoes) problem(`HTTP ${hostile.label}: an answer of ${answer.body.length} bytes`);
        }
        const slow = await slowBody(base);
        if (!slow.othersServed) problem('HTTP slow body: other requests waited behind it');
        const healthy = await fetch(`${base}/healthz`).then((r) => r.status, () => 0);
        if (healthy !== 200) problem(`the bot is not healthy after the hostile requests (${healthy})`);
        figures.push(`hostile: HTTP: ${requests.length + 1} hostile requests at ${new Set(requests.map((r) => r.path.split('?')[0]?.split('/')[1])).size} routes, one of them a slow body`);
      }

      const memory = rssOf(bot.pid ?? 0);
      figures.push(`hostile: bot RSS ${memory.rss} MB, at most ${memory.peak} MB`);
      if (memory.peak > 400) problem(`the bot's memory peaked at ${memory.peak} MB`);
      const lines = log.split('\n');
      const longest = Math.max(...lines.map((line) => line.length));
      if (longest > MAX_LOG_LINE) problem(`a log line of ${longest} characters: ${lines.find((l) => l.length === longest)?.slice(0, 200)}`);
      for (const secret of [...Object.values(SECRETS), discord.token, slack.botToken, github.token]) {
        if (log.includes(secret)) problem(`the log shows a secret (${secret.slice(0, 6)}…)`);
      }
      bot.kill('SIGTERM');
      await once(bot, 'close');
      problems.push(...unsafeStored(databasePath, 'bot'));
      figures.push(`hostile: ${values.length} values and ${hostileRequests(SECRETS).length + 1} requests; failures: ${problems.length}`);
    } finally {
      if (bot && bot.exitCode === null && bot.signalCode === null) bot.kill('SIGKILL');
      await github.close();
      await slack.close();
      await discord.close();
    }
    for (const line of figures) t.diagnostic(line);
    assert.deepEqual(problems, []);
  });
});

async function ready(bot: ChildProcess, port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (bot.exitCode !== null) assert.fail(`the bot exited while starting:\n${log().slice(-3000)}`);
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) return;
    await sleep(50);
  }
  assert.fail(`the bot was not ready within a minute:\n${log().slice(-3000)}`);
}

/** Waits until each interaction has its answer: a message, or a deferral followed by its edit. */
async function answered(discord: FakeDiscord, tokens: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  const done = (token: string) => {
    const log = discord.responses.get(token) ?? [];
    return log.some((r) => r.kind !== 'callback' || r.body.type !== 5);
  };
  while (!tokens.every(done)) {
    if (Date.now() > deadline) assert.fail(`${tokens.filter((t) => !done(t)).length} interactions got no answer within 30 s`);
    await sleep(5);
  }
}

/** A mention Discord would act on: allowed_mentions missing, or parsing everyone/roles. */
function discordMention(data: Record<string, unknown>): string | undefined {
  if (data.content === undefined && data.embeds === undefined) return undefined;
  const allowed = data.allowed_mentions as { parse?: string[]; roles?: string[] } | undefined;
  if (!allowed) return 'no allowed_mentions, so Discord parses every mention';
  if (!Array.isArray(allowed.parse) || allowed.parse.length > 0) return `allowed_mentions.parse is ${JSON.stringify(allowed.parse)}`;
  if (allowed.roles?.length) return `allowed_mentions.roles is ${JSON.stringify(allowed.roles)}`;
  return undefined;
}

/**
 * Slack acts on `<!everyone>`, `<!channel>`, `<!here>`, `<!subteam^…>` and `<@U…>` in mrkdwn and in a message's
 * top-level text; plain_text (headers, buttons) is shown as typed.
 */
function slackMention(json: string): string | undefined {
  const parsedTexts: string[] = [];
  const walk = (node: unknown, top: boolean): void => {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, false));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.text === 'string' && (top || record.type === 'mrkdwn')) parsedTexts.push(record.text);
    for (const [key, value] of Object.entries(record)) if (key !== 'text' || typeof value !== 'string') walk(value, false);
  };
  try {
    walk(JSON.parse(json), true);
  } catch {
    parsedTexts.push(json);
  }
  const text = parsedTexts.join('\n');
  const special = /<!(everyone|channel|here|subteam\^[^>|]*)/.exec(text);
  if (special) return special[0];
  for (const match of text.matchAll(/<@([A-Z0-9]+)/g)) if (match[1] !== SLACK_ADMIN.id) return match[0];
  return undefined;
}

/** Every stored text value: no control or text-direction characters, and no value longer than a stored name needs. */
function unsafeStored(databasePath: string, label: string): string[] {
  const db = new Database(databasePath, { readonly: true });
  const found: string[] = [];
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  // JSON the bot writes itself (outbox payloads, GitHub's cached answers) may be long and hold escaped newlines.
  const generated = /payload|body|etag|cache|digest|value|detail|tests/;
  for (const { name } of tables) {
    for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value !== 'string') continue;
        if (STORED_UNSAFE.test(value)) found.push(`${label} store: ${name}.${column} holds ${JSON.stringify(value.slice(0, 40))}`);
        if (value.length > 2_000 && !generated.test(column)) found.push(`${label} store: ${name}.${column} holds ${value.length} characters`);
      }
    }
  }
  db.close();
  return found.slice(0, 20);
}

/** Controls (but tab and line ends, which the bot's own texts use) and every text-direction override or mark. */
const STORED_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

interface Answer {
  status: number;
  body: string;
  sentBytes: number;
  error?: string;
}

/**
 * Sends one hostile request over a raw http.request. A large body is held back until the bot has had a moment to
 * answer from the headers alone, then streamed in 64 KB pieces that stop as soon as an answer arrives, so
 * `sentBytes` says how much the bot read before refusing.
 */
function send(base: string, hostile: HostileRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const url = new URL(hostile.path, base);
    let sentBytes = 0;
    let answered = false;
    const total = hostile.chunkedBytes ?? (hostile.body === undefined ? 0 : Buffer.byteLength(hostile.body));
    const headers: Record<string, string> = { ...hostile.headers };
    if (hostile.chunkedBytes === undefined && hostile.body !== undefined) headers['content-length'] = String(total);
    const req = request({ host: url.hostname, port: url.port, method: hostile.method, path: `${url.pathname}${url.search}`, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentBytes }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '', sentBytes }));
    });
    req.on('error', (error) => {
      if (!answered) resolve({ status: 0, body: '', sentBytes, error: error.message });
    });
    if (total === 0) return void req.end();
    const body = hostile.chunkedBytes !== undefined ? Buffer.alloc(total, 'a') : Buffer.from(hostile.body ?? '');
    if (total < 1024 * 1024) {
      sentBytes = total;
      return void req.end(body);
    }
    req.flushHeaders();
    void (async () => {
      await sleep(300);
      for (let at = 0; at < total && !answered && !req.destroyed; at += 64 * 1024) {
        const piece = body.subarray(at, at + 64 * 1024);
        sentBytes += piece.length;
        if (!req.write(piece)) await Promise.race([once(req, 'drain'), sleep(500)]);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** A client that sends its body a byte at a time: other requests are answered meanwhile. */
async function slowBody(base: string): Promise<{ othersServed: boolean }> {
  const url = new URL('/github/webhook', base);
  const req = request({ host: url.hostname, port: url.port, method: 'POST', path: url.pathname, headers: { 'content-type': 'application/json', 'content-length': '1000' } });
  req.on('error', () => {});
  req.flushHeaders();
  let othersServed = true;
  for (let i = 0; i < 10; i += 1) {
    req.write('[');
    const started = Date.now();
    const status = await fetch(`${base}/healthz`).then((r) => r.status, () => 0);
    if (status !== 200 || Date.now() - started > 2_000) othersServed = false;
    await sleep(100);
  }
  req.destroy();
  return { othersServed };
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}
