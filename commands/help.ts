import { defineCommand } from '../src/chat/define-command.ts';
import { stringOption } from '../src/chat/options.ts';
import { UserError } from '../src/chat/user-error.ts';

export default defineCommand({
  name: 'help',
  description: 'What I can do, or how to use one command',
  options: {
    command: stringOption({ description: 'A command to explain, e.g. module', placeholder: 'command', maxLength: 40 }),
  },
  run(ctx) {
    const wanted = ctx.options.command?.replace(/^\//, '').toLowerCase();
    if (wanted) {
      const command = ctx.commands.find((c) => c.name === wanted);
      if (!command) throw new UserError('bad-option', `There is no /${wanted} command.`, 'Type /help to see them all.');
      const optionFields = command.options.map((option) => ({
        name: `${option.name}${option.required ? '' : ' (optional)'}`,
        value: option.description,
      }));
      const subcommandFields = command.subcommands.map((sub) => ({
        name: sub.usage,
        value: [sub.description, ...sub.options.map((o) => `• ${o.name}${o.required ? '' : ' (optional)'}: ${o.description}`)].join('\n'),
      }));
      return {
        title: `/${command.name}`,
        text: `${command.description}${command.organiserOnly ? ' For organisers.' : ''}\nUsage: \`${command.usage}\`${command.details ? `\n\n${command.details}` : ''}`,
        fields: [...optionFields, ...subcommandFields],
        private: true,
      };
    }
    return {
      title: `${ctx.services.course.title} — cohort-bot`,
      text:
        'I post each module of the course on schedule, track your exercises through your GitHub repo and keep the leaderboard. ' +
        'Options can be typed in order or by name (`name:value`); quote values with spaces.',
      fields: ctx.commands.map((command) => ({
        name: command.usage,
        value: `${command.description}${command.organiserOnly ? ' (organisers)' : ''}`,
      })),
      footer: `Type /help <command> for details on one command.${
        // Slack: a short command can be shadowed by another app's; the app command always reaches us.
        ctx.invocation.appCommand ? ` Every command also works as ${ctx.invocation.appCommand} <command>, e.g. ${ctx.invocation.appCommand} next-module.` : ''
      }`,
      private: true,
    };
  },
});
