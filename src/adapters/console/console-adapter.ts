import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Invocation, InvocationUser, Services } from '../../chat/context.ts';
import type { Registry } from '../../chat/registry.ts';
import { completeLine } from './complete-line.ts';
import { parseLine } from './parse-line.ts';
import { errorReply } from '../../chat/reply.ts';
import { renderText } from './render-text.ts';

export interface ConsoleAdapterOptions {
  registry: Registry;
  services: Services;
  input: Readable;
  output: Writable;
  /** Where the terminal user sits: the local cohort's workspace and channel. */
  place: { workspaceId: string; channelId: string };
  user: InvocationUser;
  /** Printed once before the first prompt. */
  greeting: string;
}

export interface ConsoleAdapter {
  /** Resolves when input ends (Ctrl-D, a closed pipe) or `stop()` is called. */
  run(): Promise<void>;
  stop(): void;
}

const PROMPT = 'cohort> ';

/** The terminal as a chat platform: each line is a slash command, each Reply is printed as text. */
export function createConsoleAdapter(options: ConsoleAdapterOptions): ConsoleAdapter {
  const { registry, services, input, output } = options;
  const interactive = (input as { isTTY?: boolean }).isTTY === true;
  let readline: Interface | undefined;

  const write = (text: string) => output.write(`${text}\n`);

  async function answer(line: string): Promise<void> {
    const parsed = parseLine(line);
    if (!parsed) {
      // A blank line is nothing; anything else that names no command (a lone `/`, `//`) gets told how to ask.
      if (line.trim() !== '') write(`${renderText(errorReply('Type a command after the slash, e.g. /help or /next-module.'))}\n`);
      return;
    }
    const invocation: Invocation = {
      id: randomUUID(),
      platform: 'console',
      workspaceId: options.place.workspaceId,
      channelId: options.place.channelId,
      user: options.user,
      command: parsed.command,
      args: { kind: 'text', text: parsed.text },
    };
    write(`${renderText(await registry.execute(invocation, services))}\n`);
  }

  return {
    async run() {
      readline = createInterface({ input, output, prompt: PROMPT, terminal: interactive, completer: interactive ? (line: string) => completeLine(registry, services, line) : undefined });
      write(options.greeting);
      readline.prompt();
      // Lines are answered one at a time, in order, even when a pipe delivers them all at once.
      for await (const line of readline) {
        await answer(line);
        readline.prompt();
      }
      if (interactive) write('\nBye.');
    },
    stop() {
      readline?.close();
    },
  };
}
