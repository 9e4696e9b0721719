import { randomUUID } from 'node:crypto';
import { App, HTTPReceiver, type RespondArguments, type SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../../chat/context.ts';
import type { Registry } from '../../chat/registry.ts';
import type { Reply } from '../../chat/reply.ts';
import type { Logger } from '../../logger.ts';
import type { Deliver } from '../../outbox/outbox-worker.ts';
import type { WebServer } from '../web/web-server.ts';
import { boltLogger } from './bolt-logger.ts';
import { createSlackDeliver } from './deliver.ts';
import { renderSlackMessage } from './render-blocks.ts';
import { explainSlackError } from './setup-error.ts';
import { createAdminCheck } from './workspace-admins.ts';

export interface SlackAdapterConfig {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  apiUrl: string | undefined;
}

export interface SlackAdapterOptions {
  config: SlackAdapterConfig;
  registry: Registry;
  services: Services;
  logger: Logger;
  /** Where slash commands arrive in HTTP mode (`/slack/events`); unused in Socket Mode. */
  web: WebServer;
  /** Answers slower than this are acked first and sent through respond() (Slack allows 3 s for the ack). */
  ackAfterMs?: number;
  /** How often the Web API client retries a failed call itself (tests shorten it; the outbox retries for a day). */
  clientRetries?: number;
}

export interface SlackAdapter {
  /** Verifies the token (auth.test) and starts listening; throws SlackSetupError on known setup mistakes. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts an outbox message with chat.postMessage, once even after a crash; the client waits out 429s (Retry-After). */
  deliver: Deliver;
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { config, registry, services } = options;
  const logger = options.logger.child({ adapter: 'slack' });
  const ackAfterMs = options.ackAfterMs ?? 2000;
  const socketMode = config.appToken !== undefined;
  const apiUrl = config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {};
  const clientOptions = { ...apiUrl, retryConfig: { retries: options.clientRetries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5000 } };
  const receiver = socketMode ? undefined : new HTTPReceiver({ signingSecret: config.signingSecret ?? '', logger: boltLogger(logger), endpoints: ['/slack/events'] });
  const app = new App({
    token: config.botToken,
    // Socket Mode opens its connection (apps.connections.open) with the installer's client options.
    ...(socketMode ? { appToken: config.appToken, socketMode: true, installerOptions: { clientOptions: apiUrl } } : { receiver }),
    clientOptions,
    logger: boltLogger(logger),
    deferInitialization: true,
  });
  const isAdmin = createAdminCheck(app.client as WebClient, logger);

  async function answer(command: SlashCommand, ack: (response?: RespondArguments) => Promise<void>, respond: (response: RespondArguments) => Promise<unknown>) {
    const invocation = {
      id: randomUUID(),
      platform: 'slack' as const,
      workspaceId: command.team_id,
      channelId: command.channel_id,
      // users.info may be slow: asked by the registry only for organiser actions, inside the work raced below.
      user: { id: command.user_id, displayName: command.user_name, resolveOrganiser: () => isAdmin(command.user_id) },
      command: command.command.replace(/^\//, ''),
      args: { kind: 'text' as const, text: command.text },
      raw: command,
    };
    const work = registry.execute(invocation, services);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ackAfterMs)));
    const quick = await Promise.race([work, slow]);
    clearTimeout(timer);
    if (quick) {
      await ack(toResponse(quick));
      return;
    }
    // Slow: ack inside Slack's 3 seconds, then answer through the response_url.
    await ack({ response_type: 'ephemeral', text: 'Working on it…' });
    const reply = await work;
    await respond(reply.private ? { ...toResponse(reply), replace_original: true } : { ...toResponse(reply), delete_original: true });
  }

  app.command(/^\/[a-z0-9-]+$/, async ({ command, ack, respond }) => {
    await answer(command, ack, respond).catch((error: unknown) => logger.warn({ err: error, command: command.command }, 'could not answer a slash command'));
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack app error');
  });

  return {
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw explainSlackError(error) ?? error;
      }
      if (socketMode) await app.start();
      else if (receiver) options.web.route('/slack', receiver.requestListener);
      logger.info({ mode: socketMode ? 'socket' : 'http' }, 'slack adapter started');
    },
    async stop() {
      if (socketMode) await app.stop();
    },
    deliver: createSlackDeliver(app.client as WebClient, logger),
  };
}

function toResponse(reply: Reply): RespondArguments {
  const message = renderSlackMessage(reply);
  return { response_type: message.ephemeral ? 'ephemeral' : 'in_channel', blocks: message.blocks, text: message.text } as RespondArguments;
}
