import { defineCommand, type Command } from '../../src/chat/define-command.ts';

/** A command that answers after 150 ms, longer than the adapters' shortened acknowledgement windows in tests. */
export function slowCommand(name = 'slow', answer: { title: string; private: boolean } = { title: 'Finally', private: true }): Command {
  return defineCommand({
    name,
    description: 'Takes its time',
    run: async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return answer;
    },
  });
}
