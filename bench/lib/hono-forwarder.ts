// The third column of bench:relay: the same forwarding as bare-forwarder.ts, but
// each WebSocket goes through @hono/node-server's own `upgradeWebSocket` (a
// Request per upgrade, a MessageEvent per frame). It tells whether letting `ws`
// own the upgrade, as relay/transport.ts does, is worth it.
import { serve, upgradeWebSocket, type WebSocketLike } from '@hono/node-server';
import { Hono } from 'hono';
import type { WSContext } from 'hono/ws';
import { WebSocketServer } from 'ws';

type Socket = WSContext<WebSocketLike>;
const rooms = new Map<string, Map<string, Socket>>();
let nextId = 0;

const app = new Hono();
app.get('/healthz', (c) => c.text('ok'));
app.get(
  '/ws',
  upgradeWebSocket(() => {
    const id = `p${(nextId++).toString(36)}`;
    let room: string | undefined;
    return {
      onMessage(evt, ws) {
        if (typeof evt.data !== 'string') return;
        let msg: { type?: unknown; room?: unknown; to?: unknown; data?: unknown };
        try {
          msg = JSON.parse(evt.data);
        } catch {
          return;
        }
        if (msg.type === 'join' && typeof msg.room === 'string' && room === undefined) {
          room = msg.room;
          let members = rooms.get(room);
          if (!members) rooms.set(room, (members = new Map()));
          for (const other of members.values()) other.send(JSON.stringify({ type: 'peerJoined', peer: id }));
          ws.send(JSON.stringify({ type: 'joined', room, self: id, peers: [...members.keys()] }));
          members.set(id, ws);
        } else if (msg.type === 'signal' && room !== undefined && typeof msg.to === 'string') {
          rooms
            .get(room)
            ?.get(msg.to)
            ?.send(JSON.stringify({ type: 'signal', from: id, data: msg.data }));
        }
      },
      onClose() {
        const members = room === undefined ? undefined : rooms.get(room);
        if (!members || room === undefined) return;
        members.delete(id);
        if (members.size === 0) rooms.delete(room);
        else for (const other of members.values()) other.send(JSON.stringify({ type: 'peerLeft', peer: id }));
      },
    };
  }),
);

serve({
  fetch: app.fetch,
  port: Number(process.env.PORT),
  hostname: '127.0.0.1',
  websocket: { server: new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 }) },
});
process.once('SIGTERM', () => process.exit(0));
