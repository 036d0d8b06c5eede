// What a bare data channel does on this machine, for bench/transfer.ts: two
// RTCPeerConnections in one page (the same Chromium and the same loopback UDP
// path through the browser's network service as a call, but no Zing code),
// sending `totalBytes` of ready-made bytes with a given chunk size and
// bufferedAmount thresholds, and no reads, hashing or UI. Self-contained: it is
// shipped to the page as source by page.evaluate.

export interface BaselineOptions {
  totalBytes: number;
  chunkBytes: number;
  highWater: number;
  lowWater: number;
}

/** Milliseconds from the first send to the last byte received. */
export async function bareChannelRun(opts: BaselineOptions): Promise<number> {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  try {
    a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
    b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
    const tx = a.createDataChannel('bench', { ordered: true });
    tx.binaryType = 'arraybuffer';
    tx.bufferedAmountLowThreshold = opts.lowWater;
    const rx = new Promise<RTCDataChannel>((resolve) => {
      b.ondatachannel = (e) => resolve(e.channel);
    });
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!); // set just above
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!); // set just above
    await new Promise<void>((resolve) => {
      if (tx.readyState === 'open') resolve();
      else tx.onopen = () => resolve();
    });
    const channel = await rx;
    channel.binaryType = 'arraybuffer';
    const chunk = new Uint8Array(opts.chunkBytes);
    crypto.getRandomValues(chunk.subarray(0, Math.min(chunk.length, 65_536)));
    let received = 0;
    const done = new Promise<number>((resolve) => {
      channel.onmessage = (e) => {
        received += (e.data as ArrayBuffer).byteLength; // binaryType is arraybuffer
        if (received >= opts.totalBytes) resolve(performance.now());
      };
    });
    const start = performance.now();
    for (let sent = 0; sent < opts.totalBytes; sent += opts.chunkBytes) {
      while (tx.bufferedAmount > opts.highWater) {
        await new Promise<void>((resolve) => tx.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
      }
      tx.send(chunk.slice(0, Math.min(opts.chunkBytes, opts.totalBytes - sent)));
    }
    return (await done) - start;
  } finally {
    a.close();
    b.close();
  }
}
