import type { ReplyAction } from './reply.ts';

/** The command a button runs, as the id both platforms carry for it (Discord custom_id ≤ 100, Slack action_id ≤ 255). */
const ACTION_ID = /^run:([a-z][a-z0-9-]{0,31})(?::([a-z][a-z0-9-]{0,31}))?$/;

export function actionId(action: Pick<ReplyAction, 'command' | 'subcommand'>): string {
  return action.subcommand ? `run:${action.command}:${action.subcommand}` : `run:${action.command}`;
}

/** The command and subcommand named by a button id; undefined for anything else (a link button, a forged id). */
export function parseActionId(id: string): { command: string; subcommand?: string } | undefined {
  const match = ACTION_ID.exec(id);
  if (!match?.[1]) return undefined;
  return match[2] ? { command: match[1], subcommand: match[2] } : { command: match[1] };
}

/** One button per command: both platforms refuse two buttons with the same id in one message. */
export function distinctActions(actions: readonly ReplyAction[]): ReplyAction[] {
  const seen = new Set<string>();
  return actions.filter((action) => {
    const id = actionId(action);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
