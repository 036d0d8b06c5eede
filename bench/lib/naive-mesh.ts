// The naive mesh for bench/call.ts: what a group call costs with no governor at
// all. A bare page, no framework, no extension: each person opens the camera
// once, as Zing's call page does with the same setting, and sends that track
// at full size and frame rate to every other person over its own
// RTCPeerConnection: no setParameters caps, no receiver-driven sizing, no
// capture changes. Signaling goes through the real relay (protocol/relay.ts),
// in the clear: the newcomer offers to everyone already there.
//
// Tiles are `role="group"` elements labelled with the person's name, as Zing's
// are, so bench/lib/call-probe.ts times their frames the same way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MIC_CONSTRAINTS, cameraConstraints } from '../../extension/session/local-media.ts';

export const NAIVE_MESH_PATH = '/naive-mesh.html';

const page = (maxVideoHeight: number) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>naive mesh baseline</title>
<style>
  html, body { margin: 0; height: 100%; background: #111; }
  main { display: grid; gap: 8px; padding: 8px; box-sizing: border-box; height: 100%;
         grid-template-columns: repeat(var(--cols, 1), 1fr); align-content: center; }
  [role="group"] { aspect-ratio: 16 / 9; background: #222; }
  video { width: 100%; height: 100%; object-fit: cover; display: block; }
</style></head>
<body><main aria-label="Participants"></main>
<script type="module">
const params = new URLSearchParams(location.search);
const room = params.get('room');
const relay = params.get('relay');
const name = params.get('name');
// The same capture as Zing's call page with the same maxVideoHeight setting (local-media.ts).
const camera = ${JSON.stringify(cameraConstraints(maxVideoHeight))};
const mic = ${JSON.stringify(MIC_CONSTRAINTS)};
const stage = document.querySelector('main');

function tile(label) {
  const group = document.createElement('div');
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', label);
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  group.append(video);
  stage.append(group);
  // Columns that make the tiles largest on this window, as a grid layout does.
  const n = stage.children.length;
  let best = 1;
  let bestW = 0;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const w = Math.min(innerWidth / cols, (innerHeight / rows) * 16 / 9);
    if (w > bestW) { bestW = w; best = cols; }
  }
  stage.style.setProperty('--cols', String(best));
  return video;
}

const socket = new WebSocket(relay);
const send = (msg) => socket.send(JSON.stringify(msg));
const signal = (to, inner) => send({ type: 'signal', to, data: JSON.stringify({ ...inner, name }) });
const media = navigator.mediaDevices.getUserMedia({ audio: mic, video: camera }).then((stream) => {
  tile(name + ' (you)').srcObject = stream;
  return stream;
});

/** peer id → its connection, and its tile once its name is known */
const links = new Map();
function connect(peer, stream) {
  const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  const link = { pc, video: undefined, stream: undefined };
  links.set(peer, link);
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  pc.onicecandidate = ({ candidate }) => candidate && signal(peer, { t: 'candidate', candidate: candidate.toJSON() });
  pc.ontrack = ({ streams }) => {
    link.stream = streams[0];
    if (link.video && link.video.srcObject !== link.stream) link.video.srcObject = link.stream;
  };
  return link;
}
/** The tile appears once the name is known (the probe reads each tile's label when it first sees it). */
function named(link, label) {
  if (link.video) return;
  link.video = tile(label);
  if (link.stream) link.video.srcObject = link.stream;
}

// One chain, so an offer is applied before the candidates that follow it.
let inbox = Promise.resolve();
socket.addEventListener('message', (ev) => {
  const msg = JSON.parse(ev.data);
  if (msg.type === 'joined') {
    inbox = inbox.then(async () => {
      const stream = await media;
      for (const peer of msg.peers) {
        const { pc } = connect(peer, stream);
        await pc.setLocalDescription();
        signal(peer, { t: 'description', description: { type: 'offer', sdp: pc.localDescription.sdp } });
      }
    });
    return;
  }
  if (msg.type !== 'signal') return;
  inbox = inbox.then(async () => {
    const inner = JSON.parse(msg.data);
    if (inner.t === 'description' && inner.description.type === 'offer') {
      const link = connect(msg.from, await media);
      named(link, inner.name);
      await link.pc.setRemoteDescription(inner.description);
      await link.pc.setLocalDescription();
      signal(msg.from, { t: 'description', description: { type: 'answer', sdp: link.pc.localDescription.sdp } });
    } else if (inner.t === 'description') {
      const link = links.get(msg.from);
      named(link, inner.name);
      await link.pc.setRemoteDescription(inner.description);
    } else if (inner.t === 'candidate') {
      await links.get(msg.from)?.pc.addIceCandidate(inner.candidate);
    }
  }).catch((err) => console.error('naive mesh: signaling failed', err));
});
socket.onopen = () => send({ type: 'join', room });
</script>
</body></html>`;

export interface NaiveMeshServer {
  /** `http://127.0.0.1:<port>/naive-mesh.html` */
  readonly url: string;
  /** The page for one person in `room`, signaling through the relay at `relayUrl` (http or ws). */
  pageUrl(relayUrl: string, room: string, name: string): string;
  close(): Promise<void>;
}

/** Serves the page on loopback (a page from 127.0.0.1 is a secure context, so getUserMedia works). */
export async function startNaiveMeshServer(maxVideoHeight: number): Promise<NaiveMeshServer> {
  const html = page(maxVideoHeight);
  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== NAIVE_MESH_PATH) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP
  const url = `http://127.0.0.1:${port}${NAIVE_MESH_PATH}`;
  return {
    url,
    pageUrl: (relayUrl, room, name) => {
      const ws = `${relayUrl.replace(/^http/, 'ws')}/ws`;
      return `${url}?${new URLSearchParams({ room, relay: ws, name })}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
