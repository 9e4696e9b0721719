/** Runs `work` over `items` with at most `limit` at a time, in order of start. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Rate-limit and auth failures hit every repository alike: splitting the batch would only spend more. */
function isShared(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status === 401 || status === 403 || status === 429 || (error as Error).name === 'BudgetExhaustedError';
}

/**
 * Asks for `keys` in batches; a batch that fails is split in halves until the failing key stands alone, so one
 * repository that GitHub cannot serve (5xx, timeout) costs only itself.
 */
export async function fetchIsolated<V>(
  keys: readonly string[],
  options: { size: number; concurrency: number },
  fetch: (batch: string[]) => Promise<Map<string, V>>,
  onError: (key: string, error: unknown) => void,
): Promise<Map<string, V>> {
  const found = new Map<string, V>();
  const attempt = async (batch: string[]): Promise<void> => {
    try {
      for (const [key, value] of await fetch(batch)) found.set(key, value);
    } catch (error) {
      if (batch.length === 1 || isShared(error)) {
        for (const key of batch) onError(key, error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await attempt(batch.slice(0, half));
      await attempt(batch.slice(half));
    }
  };
  await mapLimit(chunk(keys, options.size), options.concurrency, attempt);
  return found;
}
