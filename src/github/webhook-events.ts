import { z } from 'zod';
import type { GithubEvent } from './webhook-handler.ts';

const payloadSchema = z.object({
  action: z.string().optional(),
  ref: z.string().optional(),
  // GitHub's own grammar (owner: up to 39 letters, digits and hyphens; name: up to 100 of [A-Za-z0-9._-]), so
  // nothing else is ever stored as a repository to sync.
  repository: z.object({ full_name: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/), default_branch: z.string().max(255).optional() }),
});

const COMPLETED_EVENTS = new Set(['check_run', 'check_suite', 'workflow_run']);

/**
 * The repository whose results may have changed, or null for events that change nothing we count: a finished
 * check run, check suite or workflow run, or a push to the default branch (new head, new runs to wait for).
 */
export function repoToSync(event: GithubEvent): string | null {
  const parsed = payloadSchema.safeParse(event.payload);
  if (!parsed.success) return null;
  const { action, ref, repository } = parsed.data;
  if (COMPLETED_EVENTS.has(event.name)) return action === 'completed' ? repository.full_name : null;
  if (event.name === 'push') return repository.default_branch && ref === `refs/heads/${repository.default_branch}` ? repository.full_name : null;
  return null;
}
