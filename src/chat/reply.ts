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

export interface ReplyLink {
  label: string;
  url: string;
}

/** What a learner sees when their request could not be done: private, with what to do next. */
export function errorReply(message: string, hint?: string): Reply {
  return { title: 'Sorry, I could not do that', text: hint ? `${message}\n${hint}` : message, tone: 'error', private: true };
}
