import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, type BlockAction, type ButtonAction, type RespondArguments, type SlashCommand } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { renameCommands } from '../../chat/command-names.ts';
import type { Invocation, Services } from '../../chat/context.ts';
import type { Registry } from '../../chat/registry.ts';
import { parseActionId } from '../../chat/reply-actions.ts';
import { errorReply, type Reply } from '../../chat/reply.ts';
import type { Learner } from '../../core/cohort.ts';
import type { Logger } from '../../logger.ts';
import type { Deliver } from '../../outbox/outbox-worker.ts';
import type { WebServer } from '../web/web-server.ts';
import { boltLogger } from './bolt-logger.ts';
import { createSlackDeliver } from './deliver.ts';
import { createHomeTab } from './home-tab.ts';
import { SLACK_EVENTS_PATH } from './manifest.ts';
import { renderSlackMessage } from './render-blocks.ts';
import { explainSlackError, explainSlackUnreachable, SlackSetupError } from './setup-error.ts';
import { DEFAULT_SLACK_COMMANDS, slackCommandForm, slackNamesProblem, slackTarget, type SlackCommandNames } from './slack-commands.ts';
import { filesNotSentReply, logUploadFailure, replyFilesTarget, uploadFiles, withDirectMessageNote } from './upload-files.ts';
import { createAdminCheck } from './workspace-admins.ts';

export interface SlackAdapterConfig {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  apiUrl: string | undefined;
  /** The app command and short-command prefix (SLACK_COMMAND, SLACK_COMMAND_PREFIX). */
  commandNames?: SlackCommandNames;
}

export interface SlackAdapterOptions {
  config: SlackAdapterConfig;
  registry: Registry;
  services: Services;
  logger: Logger;
  /** Where slash commands, clicks and events arrive in HTTP mode (`/slack/events`); unused in Socket Mode. */
  web: WebServer;
  /** Answers slower than this are acked first and sent through respond() (Slack allows 3 s for the ack). */
  ackAfterMs?: number;
  /** How often the Web API client retries a failed call itself (tests shorten it; the outbox retries for a day). */
  clientRetries?: number;
  /** How long Home tab refreshes after passes are gathered (tests shorten it). */
  homeGatherMs?: number;
}

export interface SlackAdapter {
  /** Verifies the token (auth.test) and starts listening; throws SlackSetupError on known setup mistakes. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts an outbox message with chat.postMessage, once even after a crash; the client waits out 429s (Retry-After). */
  deliver: Deliver;
  /** These learners have new passes: their Home tabs are republished. */
  passesRecorded(learners: readonly Learner[]): void;
  /** Why the adapter cannot serve now (not started, Socket Mode disconnected), or undefined. */
  problem(): string | undefined;
}

/** A view's title holds at most 24 characters. */
const MODAL_TITLE = 24;

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { config, registry, services } = options;
  const logger = options.logger.child({ adapter: 'slack' });
  const names = config.commandNames ?? DEFAULT_SLACK_COMMANDS;
  const ackAfterMs = options.ackAfterMs ?? 2000;
  const socketMode = config.appToken !== undefined;
  const apiUrl = config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {};
  const clientOptions = { ...apiUrl, retryConfig: { retries: options.clientRetries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5000 } };
  const receiver = socketMode ? undefined : new HTTPReceiver({ signingSecret: config.signingSecret ?? '', logger: boltLogger(logger), endpoints: [SLACK_EVENTS_PATH] });
  const app = new App({
    token: config.botToken,
    // Socket Mode opens its connection (apps.connections.open) with the installer's client options.
    ...(socketMode ? { appToken: config.appToken, socketMode: true, installerOptions: { clientOptions: apiUrl } } : { receiver }),
    clientOptions,
    logger: boltLogger(logger),
    deferInitialization: true,
  });
  const client = app.client as WebClient;
  // chat.postMessage is retried by the client only when Slack surely did not post: a 429 (after Retry-After) or a
  // 5xx. A request that got no answer may have posted; the outbox retries it and first looks for that post by key.
  const postRetries = {
    ...clientOptions.retryConfig,
    onFailedAttempt: (error: { code?: unknown; original?: { message?: unknown } }) => {
      const noAnswer = error.code === 'slack_webapi_request_error' && !/rate limit was exceeded/.test(String(error.original?.message));
      if (noAnswer) throw error;
    },
  };
  const postClient = new WebClient(config.botToken, { ...clientOptions, retryConfig: postRetries as typeof clientOptions.retryConfig, logger: boltLogger(logger) });
  const isAdmin = createAdminCheck(client, logger);
  // Every message names commands as they are typed here: `/cohort-bot join`, since `/join` is Slack's own.
  const known = new Set(registry.list().map((command) => command.name));
  const form = slackCommandForm(names);
  const present = (reply: Reply) => renameCommands(reply, known, form);
  /** A reply as shown on Slack: commands named as typed here, and a private reply's files said to be in a direct message. */
  const shown = (reply: Reply) => present(withDirectMessageNote(reply));
  const home = createHomeTab({ client, services, present, logger, ...(options.homeGatherMs !== undefined ? { gatherMs: options.homeGatherMs } : {}) });

  /** The answer in time for Slack: at once if quick, else `onSlow` runs first (inside the 3 s) and the answer follows. */
  async function inTime(work: Promise<Reply>, onSlow: () => Promise<void>): Promise<{ reply: Reply; slow: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ackAfterMs)));
    const quick = await Promise.race([work, late]);
    clearTimeout(timer);
    if (quick) return { reply: quick, slow: false };
    await onSlow();
    return { reply: await work, slow: true };
  }

  async function answerCommand(command: SlashCommand, ack: (response?: RespondArguments) => Promise<void>, respond: (response: RespondArguments) => Promise<unknown>) {
    const target = slackTarget(command.command, command.text, names);
    const invocation: Invocation = {
      id: randomUUID(),
      platform: 'slack',
      workspaceId: command.team_id,
      channelId: command.channel_id,
      // users.info may be slow: asked by the registry only for organiser actions, inside the work raced below.
      user: { id: command.user_id, displayName: command.user_name, resolveOrganiser: () => isAdmin(command.user_id) },
      command: target.command,
      args: { kind: 'text', text: target.text },
      appCommand: names.appCommand,
      raw: command,
    };
    // Slow: ack inside Slack's 3 seconds, then answer through the response_url.
    const { reply, slow } = await inTime(registry.execute(invocation, services), () => ack({ response_type: 'ephemeral', text: 'Working on it…' }));
    if (!slow) await ack(toResponse(shown(reply)));
    else await respond(reply.private ? { ...toResponse(shown(reply)), replace_original: true } : { ...toResponse(shown(reply)), delete_original: true });
    // Files only after the answer: an upload takes several calls, longer than Slack waits for the ack.
    await sendFiles(reply, { userId: command.user_id, channelId: command.channel_id }, respond);
  }

  /**
   * Uploads a reply's files after its answer: to the channel for a public reply, to the asker's direct messages for
   * a private one. A failure is logged and, where there is a response_url, the asker is told privately; it never throws.
   */
  async function sendFiles(reply: Reply, where: { userId: string; channelId: string | undefined }, respond?: (response: RespondArguments) => Promise<unknown>): Promise<void> {
    if (!reply.files?.length) return;
    const target = replyFilesTarget(reply, where);
    try {
      // In a direct message the file needs its context: the answer it belongs to is in another conversation.
      await uploadFiles(client, reply.files, target, 'userId' in target && reply.title ? { initialComment: present(reply).title ?? '' } : {});
    } catch (error) {
      logUploadFailure(logger, error, { user: where.userId, channel: where.channelId, files: reply.files.map((f) => f.name) });
      if (!respond) return;
      await respond({ ...toResponse(present(filesNotSentReply(reply.files, error))), replace_original: false }).catch((failure: unknown) =>
        logger.warn({ err: failure, user: where.userId }, 'could not tell the user their files were not sent'),
      );
    }
  }

  /**
   * A command button: run for the clicker through the registry. On a message, the answer is an ephemeral message
   * in that channel; on the Home tab (no channel, no response_url), a modal.
   */
  async function answerClick(body: BlockAction, action: ButtonAction, respond: (response: RespondArguments) => Promise<unknown>) {
    const fromView = body.view !== undefined && body.container?.type === 'view';
    const workspaceId = body.team?.id ?? body.user.team_id ?? '';
    const work = clickReply(body, action, fromView, workspaceId);
    const where = { userId: body.user.id, channelId: body.channel?.id ?? body.container?.channel_id };
    if (!fromView) {
      // Acked already; the response_url takes answers for 30 minutes. Files follow the answer.
      const reply = await work;
      await respond({ ...toResponse(shown(reply)), replace_original: false });
      await sendFiles(reply, where, respond);
      return;
    }
    // A trigger_id lasts 3 s: open the modal at once if the answer is slow, and fill it in when it comes.
    let opened: string | undefined;
    const { reply, slow } = await inTime(work, async () => {
      opened = (await client.views.open({ trigger_id: body.trigger_id, view: modal({ title: 'Working on it…', private: true }) })).view?.id;
    });
    if (slow && opened) await client.views.update({ view_id: opened, view: modal(shown(reply)) });
    else if (!slow) await client.views.open({ trigger_id: body.trigger_id, view: modal(shown(reply)) });
    // A modal has no channel: a click's files go to the clicker's direct messages (the answer is private).
    await sendFiles(reply, { userId: body.user.id, channelId: undefined });
  }

  function clickReply(body: BlockAction, action: ButtonAction, fromView: boolean, workspaceId: string): Promise<Reply> {
    const target = parseActionId(action.action_id);
    if (!target) return Promise.resolve(errorReply('That button does nothing any more.', 'Type /help to see what I can do.'));
    let channelId = body.channel?.id ?? body.container?.channel_id;
    if (fromView) {
      // The Home tab's buttons name their cohort's channel; only one of the clicker's own cohorts is accepted.
      const mine = home.entries(workspaceId, body.user.id);
      if (action.value && !mine.some((entry) => entry.cohort.channelId === action.value)) {
        return Promise.resolve(errorReply('You are not in that cohort any more.', 'Open the Home tab again to see your cohorts.'));
      }
      channelId = action.value ?? 'home';
    }
    const invocation: Invocation = {
      id: randomUUID(),
      platform: 'slack',
      workspaceId,
      channelId: String(channelId ?? ''),
      user: { id: body.user.id, displayName: body.user.name ?? body.user.username, resolveOrganiser: () => isAdmin(body.user.id) },
      command: target.command,
      ...(target.subcommand ? { subcommand: target.subcommand } : {}),
      args: { kind: 'values', values: {} },
      appCommand: names.appCommand,
      raw: body,
    };
    return registry.click(invocation, services);
  }

  app.command(/^\/[a-z0-9_-]+$/, async ({ command, ack, respond }) => {
    await answerCommand(command, ack, respond).catch((error: unknown) => logger.warn({ err: error, command: command.command }, 'could not answer a slash command'));
  });
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: /^run:/ }, async ({ ack, body, action, respond }) => {
    await ack();
    await answerClick(body, action, respond).catch((error: unknown) => logger.warn({ err: error, action: action.action_id }, 'could not answer a button'));
  });
  // Link buttons open their URL in the browser, but Slack still tells the app: acknowledged, or the user sees an error.
  app.action({ type: 'block_actions', action_id: /^link-/ }, async ({ ack }) => {
    await ack();
  });
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    const workspaceId = (body as { team_id?: string }).team_id ?? '';
    await home.publish(workspaceId, event.user).catch((error: unknown) => logger.warn({ err: error, user: event.user }, 'could not publish a Home tab'));
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack app error');
  });

  let started = false;
  let socketState: 'connected' | 'disconnected' | 'reconnecting' | undefined;
  return {
    async start() {
      const problem = slackNamesProblem(names, [...known]);
      if (problem) throw new SlackSetupError(`SLACK_COMMAND: ${problem}.`);
      try {
        await app.init();
      } catch (error) {
        throw explainSlackError(error) ?? explainSlackUnreachable(error) ?? error;
      }
      if (socketMode) {
        // Bolt keeps its Socket Mode client on the receiver it made; its state events say whether the socket is up.
        const socket = (app as unknown as { receiver?: { client?: { on?(event: string, listener: () => void): unknown } } }).receiver?.client;
        for (const state of ['connected', 'disconnected', 'reconnecting'] as const) socket?.on?.(state, () => (socketState = state));
        try {
          await app.start();
        } catch (error) {
          throw explainSlackError(error, 'SLACK_APP_TOKEN') ?? explainSlackUnreachable(error) ?? error;
        }
        socketState = 'connected';
      } else if (receiver) options.web.route('/slack', slackEndpoint(receiver.requestListener));
      started = true;
      logger.info({ mode: socketMode ? 'socket' : 'http', appCommand: names.appCommand }, 'slack adapter started');
    },
    async stop() {
      started = false;
      home.stop();
      if (socketMode) await app.stop();
    },
    deliver: createSlackDeliver(client, logger, present, postClient),
    passesRecorded: (learners) => home.refresh(learners),
    problem: () => (!started ? 'Slack: not started' : socketState && socketState !== 'connected' ? `Slack: Socket Mode ${socketState}` : undefined),
  };
}

/**
 * Only a POST to /slack/events reaches Bolt: anything else is answered plainly here (404 for another path, 405 with
 * `Allow: POST` for another method), where Bolt would answer 500 and log the whole request.
 */
function slackEndpoint(bolt: RequestListener): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== SLACK_EVENTS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' }).end('Slack sends POST requests here.\n');
      return;
    }
    void bolt(req, res);
  };
}

function toResponse(reply: Reply): RespondArguments {
  const message = renderSlackMessage(reply);
  return { response_type: message.ephemeral ? 'ephemeral' : 'in_channel', blocks: message.blocks, text: message.text } as RespondArguments;
}

/** A reply as a modal view: the Home tab's answer to a click. */
function modal(reply: Reply) {
  const message = renderSlackMessage(reply);
  const title = reply.title && reply.title.length <= MODAL_TITLE ? reply.title : 'cohort-bot';
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: title },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: message.blocks,
  };
}
