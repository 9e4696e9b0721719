import { defineCommand, type Command } from '../../src/chat/define-command.ts';
import type { Reply } from '../../src/chat/reply.ts';

/** A test command answering `reply` after `delayMs` (longer than an adapter's shortened ack window makes it slow). */
export function delayedCommand(name: string, reply: Reply, delayMs: number): Command {
  return defineCommand({
    name,
    description: 'Takes its time',
    run: async () => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return reply;
    },
  });
}

/** A command that answers after 150 ms, longer than the adapters' shortened acknowledgement windows in tests. */
export function slowCommand(name = 'slow', answer: { title: string; private: boolean } = { title: 'Finally', private: true }): Command {
  return delayedCommand(name, answer, 150);
}

/** A 1×1 PNG (67 bytes), for tests that send a file. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
