import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  Status,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import type { Services } from '../../chat/context.ts';
import { parseActionId } from '../../chat/reply-actions.ts';
import { errorReply, type Reply } from '../../chat/reply.ts';
import type { Registry } from '../../chat/registry.ts';
import { replySchema } from '../../chat/reply-schema.ts';
import type { Logger } from '../../logger.ts';
import { PermanentDeliveryError, type Deliver } from '../../outbox/outbox-worker.ts';
import { discordJsFiles, restFiles } from './attachments.ts';
import { registerCommands } from './command-payloads.ts';
import { renderDiscordMessage } from './render-message.ts';
import { explainDiscordError, GatewayClosedError } from './setup-error.ts';
import { buttonInvocation, toInvocation } from './to-invocation.ts';

export interface DiscordAdapterConfig {
  token: string;
  applicationId: string;
  guildId: string | undefined;
  apiUrl: string | undefined;
}

export interface DiscordAdapterOptions {
  config: DiscordAdapterConfig;
  registry: Registry;
  services: Services;
  logger: Logger;
  /** Answers slower than this are deferred first (Discord allows 3 s for the first response). */
  deferAfterMs?: number;
}

export interface DiscordAdapter {
  /** Logs in, registers the commands and resolves when the gateway is ready; throws DiscordSetupError on known setup mistakes. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends an outbox message to a channel through REST, with discord.js's rate-limit handling. */
  deliver: Deliver;
  /** Why the adapter cannot serve now (gateway not connected), or undefined. */
  problem(): string | undefined;
}

/** Discord codes meaning a retry cannot help: unknown channel, missing access or permissions, invalid body. */
// Unknown channel or user, missing access or permissions, invalid body, and a user who does not accept DMs.
const PERMANENT_CODES = new Set([10003, 10013, 50001, 50007, 50013, 50035]);
/** The message to edit no longer exists (deleted). */
const UNKNOWN_MESSAGE = 10008;

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { config, registry, services } = options;
  const logger = options.logger.child({ adapter: 'discord' });
  const deferAfterMs = options.deferAfterMs ?? 1500;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...(config.apiUrl ? { rest: { api: config.apiUrl } } : {}),
  });

  /** A button's command, run like the typed one and answered to the clicker only. */
  function runButton(interaction: ButtonInteraction): Promise<Reply> {
    const target = parseActionId(interaction.customId);
    if (!target) return Promise.resolve(errorReply('That button does nothing any more.', 'Type /help to see what I can do.'));
    return registry.click(buttonInvocation(interaction, target), services);
  }

  async function answer(interaction: ChatInputCommandInteraction | ButtonInteraction, work: Promise<Reply>): Promise<void> {
    // If the answer is slow, defer inside Discord's 3-second window and edit the reply when it is ready.
    let deferral: Promise<unknown> | undefined;
    const timer = setTimeout(() => {
      deferral = interaction.deferReply({ flags: MessageFlags.Ephemeral });
    }, deferAfterMs);
    const reply = await work.finally(() => clearTimeout(timer));
    const message = toDiscord(reply);
    if (!deferral) {
      await interaction.reply(message);
      return;
    }
    await deferral;
    if (reply.private) {
      // The deferral was ephemeral, so the edit (and its attachments) stays for the asker only.
      await interaction.editReply({ embeds: message.embeds, components: message.components, ...(message.files ? { files: message.files } : {}) });
    } else {
      // A deferred reply stays private, so a public answer goes to the channel as a follow-up.
      await interaction.editReply({ content: 'Posted in the channel.' });
      await interaction.followUp(message);
    }
  }

  async function answerAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const choices = registry.autocomplete(
      {
        command: interaction.commandName,
        subcommand: interaction.options.getSubcommand(false) ?? undefined,
        option: focused.name,
        partial: String(focused.value),
      },
      services,
    );
    await interaction.respond(choices.map((c) => ({ name: c.name.slice(0, 100), value: c.value.slice(0, 100) })));
  }

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    const work = interaction.isChatInputCommand()
      ? answer(interaction, registry.execute(toInvocation(interaction), services))
      : interaction.isButton()
        ? answer(interaction, runButton(interaction))
        : interaction.isAutocomplete()
          ? answerAutocomplete(interaction)
          : undefined;
    // One failed answer (an expired interaction, a network error) is logged and never stops the bot.
    work?.catch((error: unknown) => logger.warn({ err: error, interaction: interaction.id }, 'could not answer an interaction'));
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'gateway session resumed'));

  async function register(): Promise<void> {
    await registerCommands(client.rest, config, registry.list());
    logger.info({ scope: config.guildId ? 'guild' : 'global', commands: registry.list().length }, 'slash commands registered');
  }

  return {
    async start() {
      try {
        // A gateway that closes for good before READY (bad token, disallowed intents) never fails login() itself.
        const ready = new Promise<void>((resolve, reject) => {
          client.once(Events.ClientReady, () => resolve());
          client.once(Events.ShardDisconnect, (event) => reject(new GatewayClosedError(event.code)));
        });
        ready.catch(() => {});
        await client.login(config.token);
        await register();
        await ready;
      } catch (error) {
        await client.destroy();
        throw explainDiscordError(error) ?? error;
      }
    },
    async stop() {
      await client.destroy();
    },
    // The client stays "ready" across a reconnect; each shard's status says whether its gateway socket is up.
    problem: () => (client.isReady() && [...client.ws.shards.values()].every((shard) => shard.status === Status.Ready) ? undefined : 'Discord: the gateway is not connected'),
    async deliver({ channelId, payload, key, recipientUserId, editOf }) {
      const reply = replySchema.parse(payload);
      const message = renderDiscordMessage(reply);
      if (editOf && !recipientUserId) {
        // The board message: edited in place; if someone deleted it (Unknown Message), posted anew below.
        try {
          await client.rest.patch(Routes.channelMessage(channelId, editOf), {
            body: { embeds: message.embeds, components: message.components, allowed_mentions: message.allowedMentions, ...(message.content ? { content: message.content } : {}) },
          });
          return editOf;
        } catch (error) {
          if (!(error instanceof DiscordAPIError && error.code === UNKNOWN_MESSAGE)) throw permanentOr(error, channelId);
          logger.info({ channel: channelId, message: editOf }, 'the message to edit is gone; posting it anew');
        }
      }
      // Files go as multipart/form-data: the body in payload_json, each file a files[n] part named by `attachments`.
      const upload = reply.files?.length ? restFiles(reply.files) : undefined;
      try {
        // A direct message goes to the DM channel Discord opens (or reopens) with that user.
        const target = recipientUserId
          ? ((await client.rest.post(Routes.userChannels(), { body: { recipient_id: recipientUserId } })) as { id: string }).id
          : channelId;
        // The nonce makes Discord drop a duplicate of the same outbox row sent again after a crash.
        const sent = (await client.rest.post(Routes.channelMessages(target), {
          body: {
            ...(message.content ? { content: message.content } : {}),
            allowed_mentions: message.allowedMentions,
            embeds: message.embeds,
            components: message.components,
            nonce: key.slice(0, 25),
            enforce_nonce: true,
            ...(upload ? { attachments: upload.attachments } : {}),
          },
          ...(upload ? { files: upload.files } : {}),
        })) as { id?: string };
        return sent.id;
      } catch (error) {
        throw permanentOr(error, channelId);
      }
    },
  };
}

/** Discord's refusals that a retry cannot change become permanent; anything else is retried. */
function permanentOr(error: unknown, channelId: string): unknown {
  if (error instanceof DiscordAPIError && typeof error.code === 'number' && PERMANENT_CODES.has(error.code)) {
    return new PermanentDeliveryError(`Discord refused the message for channel ${channelId}: ${error.message}`);
  }
  return error;
}

/** A reply as discord.js message options; its files become attachments (discord.js sends them as multipart). */
function toDiscord(reply: Reply) {
  const message = renderDiscordMessage(reply);
  const files = reply.files?.length ? discordJsFiles(reply.files) : undefined;
  return {
    ...(message.content ? { content: message.content } : {}),
    allowedMentions: message.allowedMentions,
    embeds: message.embeds,
    components: message.components,
    ...(files ? { files } : {}),
    ...(message.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}),
  };
}
