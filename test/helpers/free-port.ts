import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 now, for a server whose address must be known before it starts (PUBLIC_URL, PORT). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
