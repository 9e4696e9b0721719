/**
 * A neutral answer to a command or a message for a channel. Each adapter renders it in its platform's idiom
 * (an embed, Block Kit, plain text); commands never format for one platform.
 */
export interface Reply {
  title?: string;
  text?: string;
  fields?: ReplyField[];
  links?: ReplyLink[];
  image?: { url: string; alt: string };
  footer?: string;
  tone?: ReplyTone;
  /**
   * Files sent with the reply (a PNG, a CSV): attached on Discord; uploaded on Slack, in the channel for a public
   * reply and in the asker's direct messages with the app for a private one (Slack has no private files).
   */
  files?: ReplyFile[];
  /**
   * Platform user ids to mention (ping) in a channel message: only these, never everyone, here or a role
   * (Discord `allowed_mentions` lists exactly them; on Slack they are the only `<@…>` the message holds).
   */
  mentions?: string[];
  /** Buttons that run a command for whoever clicks them, answered privately to them. */
  actions?: ReplyAction[];
  /** Only the asker sees it (Discord ephemeral, Slack ephemeral). */
  private: boolean;
}

export type ReplyTone = 'info' | 'success' | 'warning' | 'error';

export interface ReplyField {
  name: string;
  value: string;
  /** A hint that the field is short and may sit beside others. */
  inline?: boolean;
}

/**
 * A button that runs a command as if the clicker had typed it without options, through the same registry (same
 * guards, same errors); only the command name travels in the button, nothing else is taken from it.
 */
export interface ReplyAction {
  label: string;
  command: string;
  subcommand?: string;
  /** The main action of a message stands out (Discord primary, Slack primary); default is plain. */
  style?: 'primary' | 'plain';
}

export interface ReplyFile {
  /** Shown as the file's name, e.g. `leaderboard.png`; its extension tells programs what opens it. */
  name: string;
  contentType: 'image/png' | 'text/csv';
  /** The bytes, base64: a Reply stays JSON, so the outbox can store one. */
  base64: string;
  /** What the file shows, for screen readers and clients that cannot show it. */
  description: string;
}

export interface ReplyLink {
  label: string;
  url: string;
}

/** What a learner sees when their request could not be done: private, with what to do next. */
export function errorReply(message: string, hint?: string): Reply {
  return { title: 'Sorry, I could not do that', text: hint ? `${message}\n${hint}` : message, tone: 'error', private: true };
}
