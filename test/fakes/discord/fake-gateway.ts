import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** The gateway half of the fake: HELLO, IDENTIFY, heartbeats, READY, dispatches with sequence numbers, RESUME. */

export interface GatewayHooks {
  token: string;
  ready(sessionId: string): Record<string, unknown>;
  guildCreate(): Record<string, unknown>;
  /** Called for every op the client sends, for tests to count IDENTIFYs and RESUMEs. */
  onOp(op: number): void;
  /** When set, IDENTIFY is answered by closing with this code (4014: disallowed intents). */
  identifyCloseCode(): number | undefined;
}

export class FakeGateway {
  private readonly server = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private sessionId: string | undefined;
  private seq = 0;
  /** Dispatches of the current session, replayed after a RESUME from the client's last seq. */
  private readonly sent: { s: number; t: string; d: unknown }[] = [];
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly hooks: GatewayHooks) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.socket = ws;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    ws.on('message', (data) => this.receive(ws, JSON.parse(String(data)) as { op: number; d: Record<string, unknown> }));
  }

  private receive(ws: WebSocket, message: { op: number; d: Record<string, unknown> }): void {
    this.hooks.onOp(message.op);
    switch (message.op) {
      case 1: // heartbeat
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        return;
      case 2: // identify
        if (message.d.token !== this.hooks.token) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        if (this.hooks.identifyCloseCode() !== undefined) {
          ws.close(this.hooks.identifyCloseCode(), 'Refused by the fake.');
          return;
        }
        this.sessionId = randomUUID();
        this.sent.length = 0;
        this.seq = 0;
        this.dispatch('READY', this.hooks.ready(this.sessionId));
        this.dispatch('GUILD_CREATE', this.hooks.guildCreate());
        this.notifyReady();
        return;
      case 6: {
        // resume: replay what the client missed, then RESUMED
        if (message.d.session_id !== this.sessionId || message.d.token !== this.hooks.token) {
          ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
          return;
        }
        const after = Number(message.d.seq);
        for (const event of this.sent.filter((e) => e.s > after)) ws.send(JSON.stringify({ op: 0, ...event }));
        this.dispatch('RESUMED', {});
        this.notifyReady();
        return;
      }
      default:
        return;
    }
  }

  private notifyReady(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves at the next READY or RESUMED. */
  nextSession(): Promise<void> {
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends an event to the bot, or keeps it for the RESUME replay if the socket is down. */
  dispatch(type: string, data: unknown): void {
    this.seq += 1;
    const event = { s: this.seq, t: type, d: data };
    this.sent.push(event);
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify({ op: 0, ...event }));
  }

  /** Closes the socket as a flaky network or a Discord restart would; 4000 is "unknown error, please resume". */
  drop(code = 4000): void {
    this.socket?.close(code, 'fake drop');
  }

  close(): void {
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }
}
