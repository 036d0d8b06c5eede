// Baseline for bench:relay: the least a relay can do over `ws` with Zing's wire
// subset (join, signal to one peer). No validation beyond JSON.parse, no
// heartbeat, no limits but maxPayload: what Zing's relay is measured against.
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const rooms = new Map<string, Map<string, WebSocket>>();
let nextId = 0;

const server = createServer((_req, res) => res.end('ok')); // any path answers like /healthz
const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 64 * 1024, clientTracking: false });

wss.on('connection', (ws) => {
  const id = `p${(nextId++).toString(36)}`;
  let room: string | undefined;
  ws.on('message', (raw) => {
    let msg: { type?: unknown; room?: unknown; to?: unknown; data?: unknown };
    try {
      msg = JSON.parse(raw.toString());
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
  });
  ws.on('close', () => {
    const members = room === undefined ? undefined : rooms.get(room);
    if (!members || room === undefined) return;
    members.delete(id);
    if (members.size === 0) rooms.delete(room);
    else for (const other of members.values()) other.send(JSON.stringify({ type: 'peerLeft', peer: id }));
  });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
