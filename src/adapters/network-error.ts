const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * The socket-level code (ECONNREFUSED, ENOTFOUND…) of a request that got no answer, found on the error itself or
 * on what it wraps (undici's `fetch failed` keeps it in `cause`, Slack's Web API client in `original`).
 */
export function networkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0 && seen.size < 8) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    queue.push((e as { cause?: unknown }).cause, (e as { original?: unknown }).original);
  }
  return undefined;
}
