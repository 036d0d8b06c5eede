// The same-run baseline for bench/setup.ts: a bare WebRTC page, no framework,
// no extension, that does the minimum a 1:1 call needs through the same relay
// and wire protocol (protocol/relay.ts). It does what Zing does in parallel in
// parallel too (camera and relay at once), so the difference is Zing's own cost.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BASELINE_PATH = '/baseline.html';

// Same constraints as Zing's call page at 720p (extension/session/local-media.ts) and
// the same peer connection options (peer-link.ts), so neither side gets a
// cheaper camera or a different ICE setup.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare WebRTC baseline</title></head>
<body>
<div role="group" aria-label="me (you)"><video id="local" autoplay playsinline muted></video></div>
<div role="group" aria-label="remote"><video id="remote" autoplay playsinline muted></video></div>
<script type="module">
const params = new URLSearchParams(location.search);
const room = params.get('room');
const relay = params.get('relay');
// ?datachannel=1 also opens a data channel in the first offer, as Zing does for chat:
// an experiment knob to price the SCTP m-line; the bench itself runs without it.
const withDataChannel = params.get('datachannel') === '1';
const camera = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const mic = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const socket = new WebSocket(relay);
const send = (msg) => socket.send(JSON.stringify(msg));
const signal = (to, inner) => send({ type: 'signal', to, data: JSON.stringify(inner) });
const joined = new Promise((resolve) => {
  socket.onopen = () => send({ type: 'join', room });
  socket.addEventListener('message', (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'joined') resolve(msg);
  });
});
const media = navigator.mediaDevices.getUserMedia({ audio: mic, video: camera }).then((stream) => {
  document.getElementById('local').srcObject = stream;
  return stream;
});

let pc;
let remote;
function connect(peer, stream, offerer) {
  remote = peer;
  pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  pc.onicecandidate = ({ candidate }) => candidate && signal(peer, { t: 'candidate', candidate: candidate.toJSON() });
  if (withDataChannel && offerer) pc.createDataChannel('chat', { ordered: true });
  pc.ontrack = ({ streams }) => {
    const video = document.getElementById('remote');
    if (video.srcObject !== streams[0]) video.srcObject = streams[0];
  };
}

// One chain, so an offer is applied before the candidates that follow it.
let inbox = Promise.resolve();
socket.addEventListener('message', (ev) => {
  const msg = JSON.parse(ev.data);
  if (msg.type !== 'signal') return;
  inbox = inbox.then(async () => {
    const inner = JSON.parse(msg.data);
    if (inner.t === 'description' && inner.description.type === 'offer') {
      connect(msg.from, await media, false);
      await pc.setRemoteDescription(inner.description);
      await pc.setLocalDescription();
      signal(msg.from, { t: 'description', description: { type: 'answer', sdp: pc.localDescription.sdp } });
    } else if (inner.t === 'description') {
      await pc.setRemoteDescription(inner.description);
    } else if (inner.t === 'candidate' && pc) {
      await pc.addIceCandidate(inner.candidate);
    }
  }).catch((err) => console.error('baseline: signaling failed', err));
});

// The one who arrives second offers, as in Zing.
const [first, stream] = await Promise.all([joined, media]);
if (first.peers.length > 0) {
  connect(first.peers[0], stream, true);
  await pc.setLocalDescription();
  signal(remote, { t: 'description', description: { type: 'offer', sdp: pc.localDescription.sdp } });
}
</script>
</body></html>`;

export interface BaselineServer {
  /** `http://127.0.0.1:<port>/baseline.html` */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the baseline page on loopback; a page from 127.0.0.1 is a secure context, so getUserMedia works. */
export async function startBaselineServer(): Promise<BaselineServer> {
  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== BASELINE_PATH) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP
  return {
    url: `http://127.0.0.1:${port}${BASELINE_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
