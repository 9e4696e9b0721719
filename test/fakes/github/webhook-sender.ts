import { createHmac, randomUUID } from 'node:crypto';

/** Sends a webhook the way GitHub does: JSON body, event and delivery headers, HMAC-SHA256 signature. */
export async function sendGithubWebhook(
  url: string,
  input: { event: string; payload: unknown; secret?: string; deliveryId?: string; signature?: string | null },
): Promise<{ status: number; deliveryId: string }> {
  const body = JSON.stringify(input.payload);
  const deliveryId = input.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/fake',
    'x-github-event': input.event,
    'x-github-delivery': deliveryId,
  };
  const signature = input.signature === undefined && input.secret ? `sha256=${createHmac('sha256', input.secret).update(body).digest('hex')}` : input.signature;
  if (signature) headers['x-hub-signature-256'] = signature;
  const response = await fetch(url, { method: 'POST', body, headers });
  await response.arrayBuffer();
  return { status: response.status, deliveryId };
}
