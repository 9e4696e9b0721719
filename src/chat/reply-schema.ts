import { z } from 'zod';
import type { Reply } from './reply.ts';

/** A stored Reply (from the outbox) checked before it is rendered: the database is an edge too. */
export const replySchema: z.ZodType<Reply> = z.object({
  title: z.string().optional(),
  text: z.string().optional(),
  fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).optional(),
  links: z.array(z.object({ label: z.string(), url: z.string() })).optional(),
  image: z.object({ url: z.string(), alt: z.string() }).optional(),
  footer: z.string().optional(),
  tone: z.enum(['info', 'success', 'warning', 'error']).optional(),
  files: z
    .array(z.object({ name: z.string(), contentType: z.enum(['image/png', 'text/csv']), base64: z.string(), description: z.string() }))
    .optional(),
  // Platform user ids; each adapter keeps only the ids of its own form (Discord snowflakes, Slack U…).
  mentions: z.array(z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/)).max(100).optional(),
  actions: z
    .array(z.object({ label: z.string(), command: z.string(), subcommand: z.string().optional(), style: z.enum(['primary', 'plain']).optional() }))
    .optional(),
  private: z.boolean(),
});
