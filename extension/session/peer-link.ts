// One RTCPeerConnection to one remote peer, negotiated with the W3C
// "perfect negotiation" pattern (webrtc-pc §10.7, with isSettingRemoteAnswerPending),
// so either side may renegotiate at any time and glare resolves itself.
// It emits signals and never owns a socket: the session carries them.
import type { ParticipantId } from '../../protocol/ids.ts';
import type { VideoEncoding } from './bandwidth.ts';
import { applyEncoding, forgetEncoding } from './sender-encoding.ts';
import type { CameraStats } from './quality.ts';
import type { VideoMids } from './link-stats.ts';
import { CHAT_CHANNEL_LABEL } from '../../protocol/data.ts';
import { withOpusDtx } from './opus-dtx.ts';
import { CandidateGate, declaresSimulcast, iceUfragsOf, remoteConnectionOf, startedOver, type RemoteConnection } from './sdp-session.ts';
import { certificateDigest, declaresOneCertificate, digestOfFingerprint, fingerprintsOf } from './safety-code.ts';
import type { IceCandidate, PeerMessage } from '../../protocol/peer.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { IceRecovery } from './ice-recovery.ts';

/** An ICE candidate as the protocol carries it: only the fields that are set. */
function wireCandidate(c: RTCIceCandidate): IceCandidate {
  const out: IceCandidate = { candidate: c.candidate };
  if (c.sdpMid !== null) out.sdpMid = c.sdpMid;
  if (c.sdpMLineIndex !== null) out.sdpMLineIndex = c.sdpMLineIndex;
  if (c.usernameFragment !== null) out.usernameFragment = c.usernameFragment;
  return out;
}

/**
 * The camera keeps the lines its link was sized to and gives up frames first.
 * With the default ('balanced') Chromium's libvpx starts a link whose cap is
 * low for its size at fewer lines (its initial frame dropper) and climbs back
 * only as its quality scaler allows: at the default camera, 4 people, links
 * planned at 270 lines sent 135 for 5 s and 180 until 14 s after everyone
 * decoded; held, 270 from the first second at the same 15 fps (throwaway
 * probe, 2026-12-04). What a link should send is the governor's to decide
 * (quality.ts, from what the receiver shows and the pressure ladder), and the
 * ladder steps lines down itself. The screen is left alone: its contentHint
 * 'detail' already holds resolution.
 */
const CAMERA_DEGRADATION: RTCDegradationPreference = 'maintain-resolution';

/** Both ends agree on who yields in a collision without a round trip. */
export const isPolite = (self: ParticipantId, remote: ParticipantId): boolean => self < remote;

export type LinkState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export type PeerLinkEvents = {
  /** A message for the remote peer; the session sends it through the relay. */
  signal: [PeerMessage];
  /** The remote camera and microphone, as one stream (tracks are added as they are negotiated). */
  remoteStream: [MediaStream];
  /** The remote screen share's stream; whether it is live is told by the peer's presence. */
  remoteScreen: [MediaStream];
  /** A data channel the remote side opened (chat on the answering side, one per file transfer). */
  dataChannel: [RTCDataChannel];
  stateChanged: [LinkState];
  /** A remote description that was not applied because it declares other than exactly one certificate. */
  refused: [string];
  /** The DTLS transport (re)connected: the verified certificate may be new. */
  dtlsConnected: [];
  /**
   * A description from a new connection at the other end under the same
   * certificate, not applied: their page closed its end of this link and
   * started over (it took us for gone: this computer slept, or its network was
   * away for longer than the relay waits). DTLS does not restart for a
   * certificate it already has, so this link can never carry media again; the
   * session replaces it and hands the message on.
   */
  remoteReplaced: [PeerMessage];
};

/** SHA-256 digests (lowercase hex) of the certificates both ends of a link presented, as DTLS verified them. */
export interface LinkCertificates {
  local: string;
  remote: string;
}

export interface PeerLinkOptions {
  self: ParticipantId;
  remote: ParticipantId;
  iceServers: RTCIceServer[];
  /** `relay`: media only through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** The side that offers first: the impolite one, so exactly one side of each pair does. */
  initiator: boolean;
  /** Local camera and microphone, or null where there is none (yet). */
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** This page's DTLS certificate, the same for every link (so a safety code stays put); the browser makes one per link otherwise. */
  certificate?: RTCCertificate;
  /**
   * While a link that was up is down, ICE is checked this often and restarted
   * until it is back: a Wi-Fi switch or a TURN server returning is picked up
   * within a few seconds, where Chromium's own consent checks would give up only after ~30 s.
   */
  recoveryIntervalMs?: number;
}

export class PeerLink extends TypedEmitter<PeerLinkEvents> {
  readonly remote: ParticipantId;
  readonly polite: boolean;
  readonly pc: RTCPeerConnection;
  readonly remoteStream = new MediaStream();
  readonly remoteScreen = new MediaStream();
  /** The chat channel, where this side opened it (the initiator); the other side gets it as a `dataChannel` event. */
  readonly chatChannel: RTCDataChannel | undefined;
  /** Our screen going to this peer: its own transceiver, added on the first share, renegotiated by perfect negotiation. */
  #screenTx: RTCRtpTransceiver | undefined;
  #screen: MediaStreamTrack | null = null;
  #screenEncoding: VideoEncoding | undefined;
  #makingOffer = false;
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;
  #inbox: Promise<void> = Promise.resolve();
  #audio: MediaStreamTrack | null;
  #video: MediaStreamTrack | null;
  #camera: { audio: RTCRtpTransceiver; video: RTCRtpTransceiver } | undefined;
  #state: LinkState = 'new';
  #encoding: VideoEncoding | undefined;
  #recovery: ReturnType<typeof setInterval> | undefined;
  readonly #iceRecovery: IceRecovery;
  readonly #recoveryIntervalMs: number;
  readonly #certificate: RTCCertificate | undefined;
  /** While blocked (a verified person's safety code changed) nothing is sent and nothing received is played. */
  #blocked = false;
  readonly #watchedTransports = new WeakSet<RTCDtlsTransport>();
  /** The remote connection this link last applied a description of (sdp-session.ts). */
  #remoteConnection: RemoteConnection | undefined;
  /** Which trickled candidates are for this link now (the remote description's generations, a bounded number each). */
  readonly #candidates = new CandidateGate();
  #closed = false;

  constructor(opts: PeerLinkOptions) {
    super();
    this.remote = opts.remote;
    this.polite = isPolite(opts.self, opts.remote);
    this.#iceRecovery = new IceRecovery(this.polite);
    this.#audio = opts.audio;
    this.#video = opts.video;
    this.#recoveryIntervalMs = opts.recoveryIntervalMs ?? 1_000;
    this.#certificate = opts.certificate;
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      iceTransportPolicy: opts.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
      ...(opts.certificate ? { certificates: [opts.certificate] } : {}),
    });
    this.pc.onnegotiationneeded = () => void this.#negotiate();
    this.pc.onicecandidate = ({ candidate }) => {
      // Trickle every candidate at once; never wait for gathering to finish.
      if (candidate) this.emit('signal', { type: 'candidate', candidate: wireCandidate(candidate) });
    };
    this.pc.ontrack = ({ track, transceiver }) => {
      track.enabled = !this.#blocked;
      if (transceiver === this.#cameraTransceivers()?.[track.kind === 'audio' ? 'audio' : 'video']) {
        for (const old of this.remoteStream.getTracks()) if (old.kind === track.kind) this.remoteStream.removeTrack(old);
        this.remoteStream.addTrack(track);
        this.emit('remoteStream', this.remoteStream);
      } else if (track.kind === 'video' && transceiver !== this.#screenTx) {
        // Any other video the peer sends is its screen.
        for (const old of this.remoteScreen.getTracks()) this.remoteScreen.removeTrack(old);
        this.remoteScreen.addTrack(track);
        this.emit('remoteScreen', this.remoteScreen);
      }
    };
    this.pc.onconnectionstatechange = () => this.#onConnectionState();
    this.pc.oniceconnectionstatechange = () => this.#onIceState();
    if (opts.initiator) {
      // Both transceivers exist from the start, even without a camera, so a
      // camera that arrives later is a replaceTrack, not a renegotiation.
      this.#camera = {
        audio: this.pc.addTransceiver(this.#audio ?? 'audio', { direction: 'sendrecv' }),
        video: this.pc.addTransceiver(this.#video ?? 'video', { direction: 'sendrecv' }),
      };
      // In the first offer too, so later file channels need no renegotiation.
      this.chatChannel = this.pc.createDataChannel(CHAT_CHANNEL_LABEL, { ordered: true });
    }
    this.pc.ondatachannel = ({ channel }) => this.emit('dataChannel', channel);
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Handles one message from the remote peer, strictly after the ones before it. */
  receive(msg: PeerMessage): void {
    this.#inbox = this.#inbox
      .then(() => this.#handle(msg))
      .catch((err: unknown) => {
        console.warn(`zing: signaling with ${this.remote} failed`, err);
      });
  }

  /** Swaps the outgoing camera or microphone (null sends nothing) without renegotiating. */
  async setTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    if (kind === 'audio') this.#audio = track;
    else this.#video = track;
    const transceiver = this.#camera?.[kind];
    if (transceiver && !this.#closed) await transceiver.sender.replaceTrack(this.#blocked ? null : track);
  }

  /**
   * Stops (true) or resumes all media both ways: nothing of ours is sent and
   * nothing of theirs is played. Negotiation and data channels go on; the
   * session keeps chat and files from a blocked person.
   */
  async setBlocked(blocked: boolean): Promise<void> {
    if (blocked === this.#blocked || this.#closed) return;
    this.#blocked = blocked;
    for (const receiver of this.pc.getReceivers()) receiver.track.enabled = !blocked;
    await Promise.all([this.setTrack('audio', this.#audio), this.setTrack('video', this.#video)]);
    if (this.#screenTx) await this.#screenTx.sender.replaceTrack(blocked ? null : this.#screen);
  }

  get blocked(): boolean {
    return this.#blocked;
  }

  /**
   * Starts, swaps or stops (null) our screen to this peer. The answering side
   * waits for the first offer so that joining and sharing never collide.
   */
  async setScreen(track: MediaStreamTrack | null): Promise<void> {
    this.#screen = track;
    if (this.#closed || !this.#camera) return; // applied by #attachCamera
    await this.#applyScreen();
  }

  async #applyScreen(): Promise<void> {
    const track = this.#screen;
    if (track && !this.#screenTx) {
      this.#screenTx = this.pc.addTransceiver(track, { direction: 'sendonly' });
      if (this.#blocked) await this.#screenTx.sender.replaceTrack(null);
    } else if (this.#screenTx) {
      await this.#screenTx.sender.replaceTrack(this.#blocked ? null : track);
      // inactive tells the other side to stop rendering; a new share flips it back.
      this.#screenTx.direction = track ? 'sendonly' : 'inactive';
    }
    await this.#applyScreenEncoding();
  }

  /** Sizes (or, inactive, stops) our screen to this peer: the governor's share for it. undefined leaves it as it is. */
  async setScreenEncoding(encoding: VideoEncoding | undefined): Promise<void> {
    this.#screenEncoding = encoding;
    await this.#applyScreenEncoding();
  }

  async #applyScreenEncoding(): Promise<void> {
    const sender = this.#screenTx?.sender;
    if (!sender || this.#closed) return;
    await applyEncoding(sender, this.#screenEncoding).catch((err: unknown) => console.warn('zing: could not size the screen share', err));
  }

  /** Caps the outgoing camera (the governor's share for this link); applied again after each negotiation. */
  async setVideoEncoding(encoding: VideoEncoding): Promise<void> {
    this.#encoding = encoding;
    await this.#applyEncoding();
  }

  async #applyEncoding(): Promise<void> {
    const sender = this.#camera?.video.sender;
    if (!sender || this.#closed) return;
    try {
      await applyEncoding(sender, this.#encoding, CAMERA_DEGRADATION);
    } catch (err) {
      // A concurrent setParameters invalidates this one's transaction; the next change reapplies.
      console.warn(`zing: could not cap video to ${this.remote}`, err);
    }
  }

  /** Our camera going to this peer, and theirs coming to us: each sender's and receiver's own stats (the governor reads them). */
  async cameraStats(): Promise<CameraStats> {
    const video = this.#closed ? undefined : this.#cameraTransceivers()?.video;
    if (!video) return { sent: undefined, received: undefined };
    // RTCStatsReport is typed as a map of `any`; video-stats.ts narrows each field.
    const values = (r: RTCStatsReport) => r.values() as IterableIterator<Record<string, unknown>>;
    const [sent, received] = await Promise.all([
      this.#camera ? video.sender.getStats().then(values) : undefined,
      video.receiver.getStats().then(values),
    ]);
    return { sent, received };
  }

  /** Our screen going to this peer (its sender's own stats), or undefined while we share none with them. */
  async screenStats(): Promise<Iterable<Record<string, unknown>> | undefined> {
    const sender = this.#screenTx?.sender;
    if (this.#closed || !sender?.track) return undefined;
    // RTCStatsReport is typed as a map of `any`; video-stats.ts narrows each field.
    return (await sender.getStats()).values() as IterableIterator<Record<string, unknown>>;
  }

  /** Which transceivers carry video now, each way (link-stats.ts reads sizes from these only). */
  videoMids(): VideoMids {
    const flowing = (t: RTCRtpTransceiver | undefined, way: 'send' | 'recv') =>
      t?.mid != null && t.currentDirection?.includes(way) ? t.mid : undefined;
    const camera = this.#cameraTransceivers()?.video;
    // Any other video the peer sends is its screen (as in ontrack).
    const theirScreen = this.pc
      .getTransceivers()
      .find((t) => t !== camera && t !== this.#screenTx && t.receiver.track.kind === 'video' && flowing(t, 'recv'));
    return {
      // No track (the camera is off, or not there): nothing is sent on it, whatever its last stats say.
      sendCamera: camera?.sender.track ? flowing(camera, 'send') : null,
      sendScreen: flowing(this.#screenTx, 'send'),
      receiveCamera: flowing(camera, 'recv'),
      receiveScreen: flowing(theirScreen, 'recv'),
    };
  }

  /** The remote microphone's current level (0..1), from the RTP header extension: no getStats round trip. */
  remoteAudioLevel(): number {
    const receiver = this.#cameraTransceivers()?.audio.receiver;
    return receiver?.getSynchronizationSources()[0]?.audioLevel ?? 0;
  }

  /** The local microphone's level as this link's sender sees it (0..1). */
  async localAudioLevel(): Promise<number> {
    const sender = this.#camera?.audio.sender;
    // Not before the link is up: Chromium caches certificate stats, and a
    // getStats during the DTLS handshake leaves the remote certificate out for good.
    if (!sender?.track || this.#closed || this.#state !== 'connected') return 0;
    const report = await sender.getStats();
    // RTCStatsReport is typed as a map of `any`; narrowed field by field below.
    for (const s of report.values() as IterableIterator<Record<string, unknown>>) {
      if (s.type === 'media-source' && typeof s.audioLevel === 'number') return s.audioLevel;
    }
    return 0;
  }

  /**
   * The certificates both ends presented, as DTLS verified them, once it has;
   * undefined while DTLS is not connected, or where connected transports
   * disagree. Where from, in order:
   * 1. getStats: `transport` -> `remoteCertificateId` -> `certificate` (Chromium).
   * 2. RTCDtlsTransport.getRemoteCertificates() (Firefox, which lists no
   *    certificates in getStats).
   * 3. The one certificate the applied remote description declares. Chromium
   *    caches certificate stats: a getStats during a DTLS handshake (a restart
   *    with a new certificate included) leaves the remote certificate out of
   *    every later report, and its RTCDtlsTransport goes stale across a
   *    restart. A description that declares more than one certificate is
   *    never applied, so DTLS cannot have accepted any other than this one.
   * Never the first of several `a=fingerprint` lines (issue 13, hole 2).
   */
  async certificates(): Promise<LinkCertificates | undefined> {
    // Nothing is verified before ICE and DTLS have started.
    if (this.#closed || this.pc.connectionState === 'new') return undefined;
    // Stats only once the connection is up: a getStats while DTLS still handshakes leaves the remote
    // certificate out of every later report (point 3), this page's and anyone's who reads them.
    const stats = this.pc.connectionState === 'connected' ? await this.#statsCertificates() : { connected: false };
    if (!stats.connected && !this.#transportConnected()) return undefined;
    const local = stats.local ?? this.#localDigest();
    const remote = stats.remote ?? this.#transportRemote() ?? this.#declaredRemote();
    return local && remote ? { local, remote } : undefined;
  }

  async #statsCertificates(): Promise<{ connected: boolean; local?: string; remote?: string }> {
    const stats = new Map<string, Record<string, unknown>>();
    // RTCStatsReport is typed as a map of `any`; every field is narrowed below.
    for (const s of (await this.pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
      if (typeof s.id === 'string') stats.set(s.id, s);
    }
    const digestOf = (id: unknown): string | undefined => {
      const cert = typeof id === 'string' ? stats.get(id) : undefined;
      if (!cert) return undefined;
      if (typeof cert.base64Certificate === 'string') {
        try {
          return certificateDigest(Uint8Array.from(atob(cert.base64Certificate), (c) => c.charCodeAt(0)));
        } catch {
          return undefined; // not base64: fall back to the fingerprint Chromium computed
        }
      }
      return typeof cert.fingerprintAlgorithm === 'string' && typeof cert.fingerprint === 'string'
        ? digestOfFingerprint(cert.fingerprintAlgorithm, cert.fingerprint)
        : undefined;
    };
    const remotes = new Set<string>();
    let local: string | undefined;
    let connected = false;
    for (const s of stats.values()) {
      if (s.type !== 'transport' || s.dtlsState !== 'connected') continue;
      connected = true;
      const remote = digestOf(s.remoteCertificateId);
      if (remote) remotes.add(remote);
      local ??= digestOf(s.localCertificateId);
    }
    const [remote, other] = remotes;
    // Two connected transports with different certificates: no single link to vouch for.
    if (other) return { connected: false };
    return { connected, ...(local ? { local } : {}), ...(remote ? { remote } : {}) };
  }

  #transportConnected(): boolean {
    for (const transport of this.#dtlsTransports()) if (transport.state === 'connected') return true;
    return false;
  }

  #transportRemote(): string | undefined {
    const found = new Set<string>();
    for (const transport of this.#dtlsTransports()) {
      if (transport.state !== 'connected') continue;
      const [leaf] = transport.getRemoteCertificates();
      if (leaf) found.add(certificateDigest(new Uint8Array(leaf)));
    }
    const [remote, other] = found;
    return other ? undefined : remote;
  }

  #declaredRemote(): string | undefined {
    const sdp = this.pc.remoteDescription?.sdp;
    const [declared, other] = sdp ? fingerprintsOf(sdp) : [];
    if (!declared || other) return undefined;
    const space = declared.indexOf(' ');
    return digestOfFingerprint(declared.slice(0, space), declared.slice(space + 1));
  }

  /** The SHA-256 of our certificate: the one given, else the one the browser made for this connection. */
  #localDigest(): string | undefined {
    const certificate = this.#certificate ?? this.pc.getConfiguration().certificates?.[0];
    for (const fp of certificate?.getFingerprints() ?? []) {
      const digest = digestOfFingerprint(fp.algorithm ?? '', fp.value ?? '');
      if (digest) return digest;
    }
    return undefined;
  }

  #dtlsTransports(): Set<RTCDtlsTransport> {
    const all = new Set<RTCDtlsTransport>();
    for (const t of this.pc.getTransceivers()) {
      if (t.sender.transport) all.add(t.sender.transport);
      if (t.receiver.transport) all.add(t.receiver.transport);
    }
    if (this.pc.sctp) all.add(this.pc.sctp.transport);
    return all;
  }

  // A DTLS handshake (first, or a restart with a new certificate) may finish without the connection state moving.
  #watchTransports(): void {
    for (const transport of this.#dtlsTransports()) {
      if (this.#watchedTransports.has(transport)) continue;
      this.#watchedTransports.add(transport);
      transport.addEventListener('statechange', () => {
        if (transport.state === 'connected' && !this.#closed) this.emit('dtlsConnected');
      });
    }
  }

  /** Whether a description of theirs was applied: this link is bound to a connection at their end. */
  get negotiated(): boolean {
    return this.#remoteConnection !== undefined;
  }

  /**
   * After a relay outage: an offer sent meanwhile may be lost, so send it
   * again; a link that is not connected restarts ICE.
   */
  resync(): void {
    if (this.pc.signalingState === 'have-local-offer' || this.#state !== 'connected') this.#recover();
  }

  /** Opens an ordered, reliable data channel to this peer (a file transfer). */
  openDataChannel(label: string): RTCDataChannel {
    return this.pc.createDataChannel(label, { ordered: true });
  }

  /** ICE servers for every gathering from now on (TURN credentials that came later, as a room filled); a closed link ignores them. */
  setIceServers(iceServers: RTCIceServer[]): void {
    if (this.#closed) return;
    this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
  }

  /** Restarts ICE; perfect negotiation carries the new offer. */
  restartIce(): void {
    if (!this.#closed) this.pc.restartIce();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#recovery);
    this.pc.close();
    this.#setState('closed');
    this.removeAllListeners();
  }

  // The first audio and video transceivers carry the camera; later ones (a screen) are not.
  #cameraTransceivers(): { audio: RTCRtpTransceiver; video: RTCRtpTransceiver } | undefined {
    if (this.#camera) return this.#camera;
    const all = this.pc.getTransceivers().filter((t) => t !== this.#screenTx);
    const audio = all.find((t) => t.receiver.track.kind === 'audio');
    const video = all.find((t) => t.receiver.track.kind === 'video');
    return audio && video ? { audio, video } : undefined;
  }

  async #negotiate(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#watchTransports();
      this.#sendDescription();
    } catch (err) {
      console.warn(`zing: offer to ${this.remote} failed`, err);
    } finally {
      this.#makingOffer = false;
    }
  }

  async #handle(msg: PeerMessage): Promise<void> {
    if (this.#closed) return;
    if (msg.type === 'description') {
      const { description } = msg;
      if (startedOver(description.sdp, this.#remoteConnection)) {
        this.emit('remoteReplaced', msg); // the session closes this link as it replaces it
        return;
      }
      const readyForOffer = !this.#makingOffer && (this.pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.polite && offerCollision;
      if (this.#ignoreOffer) return;
      if (!declaresOneCertificate(description.sdp)) {
        this.emit('refused', `a ${description.type} that does not declare exactly one certificate`);
        return;
      }
      if (declaresSimulcast(description.sdp)) {
        this.emit('refused', `a ${description.type} that asks for simulcast`);
        return;
      }
      this.#isSettingRemoteAnswerPending = description.type === 'answer';
      try {
        await this.pc.setRemoteDescription({ type: description.type, sdp: withOpusDtx(description.sdp) });
      } finally {
        // An answer refused (a second one for an offer sent again, arriving once the first made us stable)
        // must not leave later offers taken as if one were being applied.
        this.#isSettingRemoteAnswerPending = false;
      }
      this.#remoteConnection = remoteConnectionOf(description.sdp);
      this.#candidates.applied(iceUfragsOf(description.sdp));
      this.#watchTransports();
      if (description.type === 'offer') {
        await this.#attachCamera();
        await this.pc.setLocalDescription();
        this.#sendDescription();
      }
      // Not awaited: the candidates queued behind this description would wait
      // for it, and a setParameters takes tens of ms on the WebRTC thread just
      // as ICE starts (bench:setup). Both catch their own failures. The senders
      // are read afresh: a negotiation is where their encodings may have changed.
      for (const sender of [this.#camera?.video.sender, this.#screenTx?.sender]) if (sender) forgetEncoding(sender);
      void this.#applyEncoding();
      void this.#applyScreenEncoding();
    } else if (msg.type === 'candidate') {
      // Not of the description applied last (trickled by a connection that replaced this one, or for an
      // offer ignored in a collision): dropped here. Chromium's addIceCandidate blocks the page's main
      // thread while the WebRTC thread refuses it; a member starting over in a loop sends hundreds, and a
      // profile of the page they flooded caught one 4.4 s freeze in it (.tmp/rebuild-flood.ts).
      // One that names no generation is refused too, and so is one past CANDIDATES_PER_GENERATION.
      if (!this.#candidates.admits(msg.candidate)) return;
      try {
        await this.pc.addIceCandidate(msg.candidate);
      } catch (err) {
        if (!this.#ignoreOffer) throw err;
      }
    }
  }

  // The answering side sends its camera on the transceivers the offer created,
  // so the first answer already carries media both ways: one round trip.
  async #attachCamera(): Promise<void> {
    if (this.#camera) return;
    const camera = this.#cameraTransceivers();
    if (!camera) return;
    this.#camera = camera;
    // Both at once, and none where there is nothing to send: each replaceTrack
    // is a trip to the WebRTC thread that the answer waits for.
    await Promise.all(
      (['audio', 'video'] as const).map((kind) => {
        camera[kind].direction = 'sendrecv';
        const track = this.#blocked ? null : kind === 'audio' ? this.#audio : this.#video;
        return track === camera[kind].sender.track ? undefined : camera[kind].sender.replaceTrack(track);
      }),
    );
    // A screen already being shared when this peer arrived follows in its own negotiation.
    if (this.#screen) queueMicrotask(() => void this.#applyScreen());
  }

  #sendDescription(): void {
    const local = this.pc.localDescription;
    if (local && (local.type === 'offer' || local.type === 'answer')) {
      this.emit('signal', { type: 'description', description: { type: local.type, sdp: local.sdp } });
    }
  }

  #onConnectionState(): void {
    switch (this.pc.connectionState) {
      case 'connecting':
        return this.#setState(this.#state === 'connected' ? 'reconnecting' : 'connecting');
      case 'connected':
        return this.#setState('connected');
      case 'disconnected':
        return this.#setState('reconnecting');
      case 'failed':
        return this.#setState('failed');
      default:
        return;
    }
  }

  /**
   * Gets a link that is down going again. An offer of ours still unanswered
   * goes again: it (or the answer) may have gone into a relay socket that was
   * dark, and restarting ICE makes no new offer before that one is answered;
   * and the other side, if polite, gives way to it. Otherwise ICE restarts.
   */
  #recover(): void {
    if (this.#closed) return;
    if (this.pc.signalingState === 'have-local-offer') this.#sendDescription();
    else this.pc.restartIce();
  }

  #onIceState(): void {
    const ice = this.pc.iceConnectionState;
    if (this.#iceRecovery.onState(ice, performance.now())) this.#recover();
    if (!this.#iceRecovery.active) {
      clearInterval(this.#recovery);
      this.#recovery = undefined;
    } else if (!this.#recovery) {
      this.#recovery = setInterval(() => {
        if (this.#iceRecovery.tick(this.pc.iceConnectionState, performance.now())) this.#recover();
      }, this.#recoveryIntervalMs);
    }
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('stateChanged', state);
  }
}
