// A WebSocket man in the middle for tests: it stands where the relay should be,
// forwards every frame to the real relay, records what clients send, and can
// tamper with what it delivers, as a hostile relay would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** flip: change a character of each sealed payload; forge: claim another sender; replay: deliver every signal twice. */
export type Tamper = 'none' | 'flip' | 'forge' | 'replay';

/** One client's socket through the proxy. */
export interface ProxiedConnection {
  /** Text frames this client sent, in order. */
  readonly sent: string[];
  /** Text frames handed to this client (after any tampering), in order. */
  readonly delivered: string[];
  /** Hands `frame` to this client as if the relay had sent it: a replay. */
  inject(frame: string): void;
}

export interface RelayProxy {
  url: string;
  /** Every text frame a client sent, in order. */
  readonly received: string[];
  /** Every client connection, in the order they came. */
  readonly connections: ProxiedConnection[];
  /** Signal frames altered, forged or replayed so far. */
  readonly tampered: () => number;
  close(): Promise<void>;
}

function tamper(mode: Tamper, frame: string, count: () => void): string[] {
  let msg: { type?: string; from?: string; data?: string };
  try {
    msg = JSON.parse(frame) as typeof msg;
  } catch {
    return [frame];
  }
  if (msg.type !== 'signal' || typeof msg.data !== 'string' || mode === 'none') return [frame];
  count();
  switch (mode) {
    case 'flip': {
      // Past the scope prefix and the IV: a character of the ciphertext itself.
      const i = Math.min(msg.data.length - 1, 30);
      const c = msg.data[i] === 'A' ? 'B' : 'A';
      return [JSON.stringify({ ...msg, data: msg.data.slice(0, i) + c + msg.data.slice(i + 1) })];
    }
    case 'forge':
      return [JSON.stringify({ ...msg, from: 'forgedPeerId000' })];
    case 'replay':
      return [frame, frame];
  }
}

export async function startRelayProxy(upstream: string, mode: Tamper = 'none'): Promise<RelayProxy> {
  const received: string[] = [];
  const connections: ProxiedConnection[] = [];
  let tampered = 0;
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server });
  wss.on('connection', (client, req) => {
    const target = new WebSocket(new URL(req.url ?? '/ws', upstream.replace(/^http/, 'ws')));
    const pending: string[] = [];
    const connection: ProxiedConnection = {
      sent: [],
      delivered: [],
      inject: (frame) => {
        if (client.readyState === WebSocket.OPEN) client.send(frame);
      },
    };
    connections.push(connection);
    target.on('open', () => {
      for (const f of pending.splice(0)) target.send(f);
    });
    client.on('message', (data) => {
      const frame = data.toString();
      received.push(frame);
      connection.sent.push(frame);
      if (target.readyState === WebSocket.OPEN) target.send(frame);
      else pending.push(frame);
    });
    target.on('message', (data) => {
      for (const f of tamper(mode, data.toString(), () => tampered++)) {
        connection.delivered.push(f);
        if (client.readyState === WebSocket.OPEN) client.send(f);
      }
    });
    const closeBoth = () => {
      client.close();
      target.close();
    };
    client.on('close', closeBoth);
    target.on('close', closeBoth);
    client.on('error', closeBoth);
    target.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a TCP listener
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    connections,
    tampered: () => tampered,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => server.close(() => resolve())));
    },
  };
}
