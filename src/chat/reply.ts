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

export interface ReplyLink {
  label: string;
  url: string;
}

/** What a learner sees when their request could not be done: private, with what to do next. */
export function errorReply(message: string, hint?: string): Reply {
  return { title: 'Sorry, I could not do that', text: hint ? `${message}\n${hint}` : message, tone: 'error', private: true };
}
