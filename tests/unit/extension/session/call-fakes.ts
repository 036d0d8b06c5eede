// Stand-ins for what CallSession talks to, so it runs in Node: a relay that
// routes in memory, the signaling client each session or person holds on it,
// local media without devices, and a media link that records what it was told.
// Sealing and signing stay real (SealedSignaling, Identity, WebCrypto, a
// derived room key): what crosses FakeRelay is the same envelope a real relay
// would carry, and the people the test plays greet and welcome as a page does.
import { expect } from 'vitest';
import type { ParticipantId, PeerId } from '../../../../protocol/ids.ts';
import {
  ANYONE,
  encodeSealedPayload,
  envelopeHeader,
  joinSigned,
  type PeerMessage,
  type Presence,
  type SealedPayload,
  signedText,
} from '../../../../protocol/peer.ts';
import {
  CallSession,
  type CallSessionDeps,
  type SessionLink,
  type SessionMedia,
  type SessionSignaling,
} from '../../../../extension/session/call-session.ts';
import type { BlurEngine, BlurEngineEvent, BlurStopReason } from '../../../../extension/session/background-blur.ts';
import type { VideoEncoding } from '../../../../extension/session/bandwidth.ts';
import type { ZingError } from '../../../../extension/session/errors.ts';
import { seal } from '../../../../extension/session/envelope.ts';
import { Identity } from '../../../../extension/session/identity.ts';
import type { LinkCertificates, LinkState, PeerLinkEvents, PeerLinkOptions } from '../../../../extension/session/peer-link.ts';
import { deriveRoomKey, newSecret, type RoomKey, toBase64Url } from '../../../../extension/session/room-key.ts';
import { commitment, newSalt } from '../../../../extension/session/safety-code.ts';
import { type Recipient, SealedSignaling, type SealedMessage } from '../../../../extension/session/sealed-signaling.ts';
import type { DeviceChoice, DeviceKind } from '../../../../extension/session/devices.ts';
import type { InputKind, LocalMediaEvents, MediaStartPrefs } from '../../../../extension/session/local-media.ts';
import type { CameraStats } from '../../../../extension/session/quality.ts';
import type { VideoMids } from '../../../../extension/session/link-stats.ts';
import { DEFAULT_PROFILE, defaultSettings, type Profile } from '../../../../extension/session/settings.ts';
import { buildShareLink, type ShareLink } from '../../../../extension/session/share-link.ts';
import type { SignalingEvents, SignalingState } from '../../../../extension/session/signaling-client.ts';
import { TypedEmitter } from '../../../../extension/session/typed-emitter.ts';

/** One frame the relay carried (or was told to carry). */
export interface Frame {
  readonly from: PeerId;
  readonly to: PeerId | undefined;
  readonly data: string;
}

/** The relay's part, in memory: admits, routes, says who joined and left, and can restart or lose frames. */
export class FakeRelay {
  #minted = 0;
  /** Who is in the room now, in the order they joined. */
  readonly members = new Map<PeerId, FakeSignaling>();
  /** Every frame routed, in order (what a relay could replay). */
  readonly frames: Frame[] = [];
  /** Frames for which this says true are dropped, as a lossy or hostile relay would. */
  lose: (frame: Frame) => boolean = () => false;

  admit(client: FakeSignaling): void {
    const self = `peer-${++this.#minted}`;
    const peers = [...this.members.keys()];
    this.members.set(self, client);
    client.admitted(self, peers);
    for (const [id, other] of this.members) if (id !== self) other.fire('peerJoined', self);
  }

  route(frame: Frame): void {
    this.frames.push(frame);
    if (this.lose(frame)) return;
    this.deliver(frame);
  }

  /** Hands `frame` over as it is, whatever its envelope says: a forger, or a relay replaying. */
  deliver(frame: Frame): void {
    for (const [id, other] of [...this.members]) {
      if (id !== frame.from && (frame.to === undefined || frame.to === id)) other.fire('signal', { from: frame.from, data: frame.data });
    }
  }

  remove(peer: PeerId): void {
    if (!this.members.delete(peer)) return;
    for (const other of [...this.members.values()]) other.fire('peerLeft', peer);
  }

  /**
   * The relay process restarts: every socket drops, no one hears a leave, and
   * all come back in their order at new addresses, except those `gone` (their
   * tab closed during the outage).
   */
  restart(gone: readonly FakeSignaling[] = []): void {
    const clients = [...this.members.values()];
    this.members.clear();
    for (const client of clients) client.dropped();
    for (const client of clients) if (!gone.includes(client)) this.admit(client);
  }

  peerOf(client: FakeSignaling): PeerId {
    for (const [id, member] of this.members) if (member === client) return id;
    throw new Error('not in the room');
  }
}

/** SignalingClient's part: its state and events, joined through FakeRelay. */
export class FakeSignaling extends TypedEmitter<SignalingEvents> implements SessionSignaling {
  state: SignalingState = 'closed';
  self: PeerId | undefined;
  closes = 0;
  readonly #relay: FakeRelay;

  constructor(relay: FakeRelay) {
    super();
    this.#relay = relay;
  }

  connect(): void {
    if (this.closes > 0 || this.self !== undefined) return;
    this.#setState('connecting');
    this.#relay.admit(this);
  }

  send(to: PeerId | undefined, data: string): boolean {
    if (this.state !== 'open' || this.self === undefined) return false;
    this.#relay.route({ from: this.self, to, data });
    return true;
  }

  close(): void {
    this.closes += 1;
    if (this.self !== undefined) this.#relay.remove(this.self);
    this.self = undefined;
    this.#setState('closed');
  }

  /** The relay took this socket in at `self`, with `peers` already there. */
  admitted(self: PeerId, peers: PeerId[]): void {
    this.self = self;
    this.#setState('open');
    this.emit('joined', { self, peers, iceServers: undefined });
  }

  /** The socket dropped; it reconnects at once (the relay admits it again). */
  dropped(): void {
    this.self = undefined;
    this.#setState('reconnecting');
  }

  fire<K extends keyof SignalingEvents>(event: K, ...args: SignalingEvents[K]): void {
    this.emit(event, ...args);
  }

  #setState(state: SignalingState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit('stateChanged', state);
  }
}

/** A stand-in track: only what the session reads of one (which device it came from). */
export function fakeTrack(kind: 'audio' | 'video', deviceId: string): MediaStreamTrack {
  const track = { kind, id: `${kind}-${deviceId}`, getSettings: () => ({ deviceId }) };
  return track as unknown as MediaStreamTrack; // the session only passes tracks on and reads getSettings().deviceId
}

/** LocalMedia's part without devices: stand-in tracks, no previews; it remembers what it was asked. */
export class FakeMedia extends TypedEmitter<LocalMediaEvents> implements SessionMedia {
  audio: MediaStreamTrack | null = null;
  video: MediaStreamTrack | null = null;
  readonly screen = null;
  readonly videoHeight = 0;
  readonly preview = null;
  readonly screenPreview = null;
  /** What start() resolves with: the device error to show, if any. */
  startError: ZingError | undefined;
  /** What setCameraOff(false) rejects with, if anything. */
  cameraError: ZingError | undefined;
  /** What useDevice() rejects with, if anything. */
  deviceError: ZingError | undefined;
  micMuted: boolean | undefined;
  cameraOff: boolean | undefined;
  /** The device ids start() was asked for. */
  started: MediaStartPrefs | undefined;
  stops = 0;

  async start(prefs: MediaStartPrefs): Promise<ZingError | undefined> {
    this.started = prefs;
    this.micMuted = prefs.micMuted;
    this.cameraOff = prefs.cameraOff;
    if (!this.startError) {
      this.audio = fakeTrack('audio', prefs.microphone ?? 'default-mic');
      this.video = prefs.cameraOff ? null : fakeTrack('video', prefs.camera ?? 'default-cam');
    }
    return this.startError;
  }

  deviceId(kind: InputKind): string | undefined {
    return (kind === 'camera' ? this.video : this.audio)?.getSettings().deviceId;
  }

  async useDevice(kind: InputKind, id: string | undefined): Promise<boolean> {
    if (this.deviceError) throw this.deviceError;
    if (kind === 'camera') this.video = fakeTrack('video', id ?? 'default-cam');
    else this.audio = fakeTrack('audio', id ?? 'default-mic');
    return true;
  }

  /** The device in use for `kind` stops by itself (unplugged), as a track's `ended` says. */
  unplug(kind: InputKind): void {
    const track = kind === 'camera' ? this.video : this.audio;
    if (kind === 'camera') this.video = null;
    else this.audio = null;
    this.emit('ended', { kind, label: `the ${track?.getSettings().deviceId ?? 'unknown'} device` });
  }

  stop(): void {
    this.stops += 1;
  }

  setMicMuted(muted: boolean): void {
    this.micMuted = muted;
  }

  /** What setCameraOff(false) waits for before the camera opens, as a permission prompt or a slow camera makes it. */
  cameraOpening: Promise<void> | undefined;

  async setCameraOff(off: boolean): Promise<void> {
    if (!off && this.cameraError) throw this.cameraError;
    this.cameraOff = off;
    // Off stops the camera; on opens the one chosen last (the default here).
    if (off) {
      this.video = null;
      return;
    }
    await this.cameraOpening;
    // As LocalMedia: a camera that opens after it was turned off again is not kept.
    if (!this.cameraOff) this.video ??= fakeTrack('video', 'default-cam');
  }

  /** What startScreen() rejects with (the browser or the system refused), if anything; else the person cancels. */
  screenError: Error | undefined;

  async startScreen(): Promise<MediaStreamTrack | null> {
    if (this.screenError) throw this.screenError;
    return null; // the person cancelled the picker
  }

  stopScreen(): void {
    // nothing is ever shared: startScreen() always finds the picker cancelled
  }
}

/** The blur pipeline's part: the test starts and stops it. */
export class FakeBlurEngine implements BlurEngine {
  readonly output = { label: 'blurred' } as unknown as MediaStreamTrack; // the session only passes it on
  running = false;
  camera: MediaStreamTrack | null = null;
  /** The last frame-rate cap it was given. */
  frameRateCap: number | undefined;
  /** How many times it was closed. */
  closed = 0;
  readonly #listeners = new Set<(event: BlurEngineEvent) => void>();

  connect(camera: MediaStreamTrack | null): void {
    this.camera = camera;
  }
  capFrameRate(fps: number | undefined): void {
    this.frameRateCap = fps;
  }
  onEvent(listener: (event: BlurEngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  close(): void {
    this.closed += 1;
    this.running = false;
  }
  /** The first blurred frame is out. */
  start(): void {
    this.running = true;
    for (const l of [...this.#listeners]) l({ kind: 'running' });
  }
  stop(reason: BlurStopReason): void {
    this.running = false;
    for (const l of [...this.#listeners]) l({ kind: 'stopped', reason });
  }
}

/** PeerLink's part: records what the session told it; the test plays its events. */
export class FakeLink extends TypedEmitter<PeerLinkEvents> implements SessionLink {
  readonly options: PeerLinkOptions;
  readonly pc = { getStats: (): Promise<RTCStatsReport> => Promise.reject(new Error('a fake link has no statistics')) };
  readonly chatChannel = undefined;
  state: LinkState = 'new';
  readonly received: PeerMessage[] = [];
  readonly tracksSet: ['audio' | 'video', MediaStreamTrack | null][] = [];
  resyncs = 0;
  closes = 0;
  /** Whether a description of theirs was applied (a test says so; nothing negotiates here). */
  negotiated = false;
  /** Every later setIceServers, in order. */
  readonly iceServersSet: RTCIceServer[][] = [];

  constructor(options: PeerLinkOptions) {
    super();
    this.options = options;
  }

  receive(msg: PeerMessage): void {
    this.received.push(msg);
  }

  async setTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    this.tracksSet.push([kind, track]);
  }

  async setScreen(): Promise<void> {
    // no screen reaches a fake link
  }

  /** Every camera encoding the governor set, oldest first (its figures are bandwidth.test.ts's business). */
  readonly encodings: VideoEncoding[] = [];

  async setVideoEncoding(encoding: VideoEncoding): Promise<void> {
    this.encodings.push(encoding);
  }

  async setScreenEncoding(): Promise<void> {
    // no screen reaches a fake link
  }

  async cameraStats(): Promise<CameraStats> {
    return { sent: undefined, received: undefined }; // a fake link sends and receives no video
  }

  async screenStats(): Promise<undefined> {
    return undefined; // no screen reaches a fake link
  }

  videoMids(): VideoMids {
    return {}; // a fake link carries no video
  }

  /** What the far microphone and the own one read on this link: set by a test. */
  levels = { remote: 0, local: 0 };
  /** How often the far level was read (each read is a hop to the WebRTC thread in a browser). */
  remoteLevelReads = 0;

  remoteAudioLevel(): number {
    this.remoteLevelReads += 1;
    return this.levels.remote;
  }

  async localAudioLevel(): Promise<number> {
    return this.levels.local;
  }

  /** What certificates() answers: set by a test to play what DTLS verified. */
  certs: LinkCertificates | undefined;
  /** Every setBlocked() call, in order. */
  readonly blocks: boolean[] = [];

  /** How often certificates() was asked. */
  certificateReads = 0;

  async certificates(): Promise<LinkCertificates | undefined> {
    this.certificateReads += 1;
    return this.certs;
  }

  async setBlocked(blocked: boolean): Promise<void> {
    this.blocks.push(blocked);
  }

  resync(): void {
    this.resyncs += 1;
  }

  openDataChannel(): RTCDataChannel {
    throw new Error('a fake link opens no data channels');
  }

  setIceServers(servers: RTCIceServer[]): void {
    this.iceServersSet.push(servers);
  }

  close(): void {
    this.closes += 1;
    this.setState('closed');
  }

  setState(state: LinkState): void {
    this.state = state;
    this.emit('stateChanged', state);
  }

  /** The remote side opened a data channel to us (the chat channel, where we did not offer first). */
  remoteOpens(channel: RTCDataChannel): void {
    this.emit('dataChannel', channel);
  }

  /** A DTLS transport of the link (re)connected. */
  dtlsUp(): void {
    this.emit('dtlsConnected');
  }

  /** The link has something for the remote side (an offer, a candidate). */
  signal(msg: PeerMessage): void {
    this.emit('signal', msg);
  }

  /** A description arrived from a new connection at the other end (PeerLink's own check). */
  remoteReplaced(msg: PeerMessage): void {
    this.emit('remoteReplaced', msg);
  }
}

/** A room: its secret, the link to it, and the key both sides derive. */
export interface Room {
  readonly link: ShareLink;
  readonly key: RoomKey;
  readonly relay: FakeRelay;
}

export async function newRoom(): Promise<Room> {
  const secret = newSecret();
  const key = await deriveRoomKey(secret);
  return { link: buildShareLink('http://relay.test', key.room, secret), key, relay: new FakeRelay() };
}

/** One CallSession on fakes, and the fakes to look at. */
export interface FakeCall {
  readonly session: CallSession;
  readonly signaling: FakeSignaling;
  readonly media: FakeMedia;
  readonly links: FakeLink[];
  readonly saved: Partial<Profile>[];
  /** The SHA-256 (hex) of the page's DTLS certificate, as its commitments name it. */
  readonly certificate: string;
  /** Device choices the session remembered, in order. */
  readonly savedDevices: [DeviceKind, DeviceChoice | undefined][];
  /** A rename made elsewhere (the popup). */
  rename(name: string): void;
}

/** A random SHA-256, as 64 hex digits: a certificate digest that matches nothing else. */
export const randomDigest = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');

/** Node has no RTCCertificate: only getFingerprints() is read, so an object with it stands in. */
export function fakeCertificate(digest: string): RTCCertificate {
  const value = digest.match(/../g)?.join(':').toUpperCase() ?? '';
  return { expires: Date.now() + 86_400_000, getFingerprints: () => [{ algorithm: 'sha-256', value }] } as RTCCertificate; // the session reads getFingerprints() alone
}

/** The participant id of a started session (the tests' own call must have started). */
export function idOf(call: FakeCall): ParticipantId {
  const id = call.session.participant;
  if (id === undefined) throw new Error('the session has not made its identity yet');
  return id;
}

export function newCall(
  room: Room,
  profile: Partial<Profile> = {},
  media = new FakeMedia(),
  extra: Pick<CallSessionDeps, 'devices' | 'deviceList' | 'loadSuppressor' | 'loadBlur' | 'keys'> = {},
): FakeCall {
  const signaling = new FakeSignaling(room.relay);
  const links: FakeLink[] = [];
  const saved: Partial<Profile>[] = [];
  const savedDevices: [DeviceKind, DeviceChoice | undefined][] = [];
  const profileListeners = new Set<(profile: Profile) => void>();
  const full: Profile = { ...DEFAULT_PROFILE, name: 'Alice', ...profile };
  const certificate = randomDigest();
  const deps: CallSessionDeps = {
    profile: full,
    settings: defaultSettings(),
    saveProfile: async (patch) => {
      saved.push(patch);
    },
    onProfileChanged: (listener) => {
      profileListeners.add(listener);
      return () => profileListeners.delete(listener);
    },
    saveDevice: async (kind, choice) => {
      savedDevices.push([kind, choice]);
    },
    // Outside a browser there is no AudioWorklet: unless a test brings its own, the suppressor never finishes loading.
    loadSuppressor: () => new Promise<never>(() => undefined),
    ...extra,
    createSignaling: () => signaling,
    createMedia: () => media,
    createCertificate: async () => fakeCertificate(certificate),
    createLink: (options) => {
      const link = new FakeLink(options);
      links.push(link);
      return link;
    },
  };
  const session = new CallSession(room.link, deps);
  return {
    session,
    signaling,
    media,
    links,
    saved,
    certificate,
    savedDevices,
    rename: (name) => {
      for (const listener of profileListeners) listener({ ...full, name });
    },
  };
}

/**
 * Someone in the room played by the test: a real SealedSignaling under a real
 * identity, greeting like a CallSession does (a hello to everyone on each
 * join, one to each newcomer) unless told to keep quiet, and answering the
 * handshake (protocol/peer.ts): a welcome for every hello, a welcome back and
 * its salt for a welcome.
 */
export class Person {
  readonly identity: Identity;
  readonly signaling: FakeSignaling;
  readonly sealed: SealedSignaling;
  readonly heard: SealedMessage[] = [];
  /** Who welcomed it (bound to its session): participant → where and which page session. */
  readonly admittedBy = new Map<ParticipantId, { peer: PeerId; session: string }>();
  presence: Presence;
  greets = true;
  /** Whether it answers the handshake by itself; a test that sends each step itself turns it off. */
  answers = true;
  readonly #room: Room;
  readonly #salt = newSalt();
  readonly #welcomed = new Set<ParticipantId>();
  /** Whom its next welcome tells that it took them for gone (forget), once. */
  readonly #fresh = new Set<ParticipantId>();

  static async create(room: Room, name: string): Promise<Person> {
    return new Person(room, name, await Identity.create());
  }

  /** Another identity of its own speaking through `host`'s relay socket: one link holder posing as someone else. Greets no one by itself. */
  static async posingOn(host: Person, name: string): Promise<Person> {
    const poser = new Person(host.#room, name, await Identity.create(), host.signaling);
    poser.greets = false;
    return poser;
  }

  private constructor(room: Room, name: string, identity: Identity, signaling = new FakeSignaling(room.relay)) {
    this.#room = room;
    this.identity = identity;
    this.presence = { name, micMuted: false, cameraOff: false, screenSharing: false };
    this.signaling = signaling;
    this.sealed = new SealedSignaling(this.signaling, room.key, identity);
    this.sealed.on('message', (m) => {
      this.heard.push(m);
      this.#answer(m);
    });
    this.signaling.on('joined', () => {
      if (this.greets) this.hello();
    });
    this.signaling.on('peerJoined', (peer) => {
      if (this.greets) this.hello(peer);
    });
  }

  get participant(): ParticipantId {
    return this.identity.participant;
  }

  join(): this {
    this.signaling.connect();
    return this;
  }

  get peer(): PeerId {
    const self = this.signaling.self;
    if (self === undefined) throw new Error(`${this.presence.name} is not in the room`);
    return self;
  }

  /** A hello to `to`, or to everyone. */
  hello(to?: PeerId): void {
    this.sealed.send(to === undefined ? undefined : { peer: to }, { type: 'hello', ...this.presence });
  }

  /** A welcome to `to`, as if answering their hello. */
  welcome(to: Recipient & { participant: ParticipantId }): void {
    this.#welcome(to);
  }

  /** Changes presence by `patch`: a hello to `to`, or a presence change to everyone. */
  say(to?: PeerId, patch: Partial<Presence> = {}): void {
    this.presence = { ...this.presence, ...patch };
    if (to === undefined) this.sealed.send(undefined, { type: 'presence', ...this.presence });
    else this.hello(to);
  }

  /** Sends `msg` bound to `participant` where it last heard from them. */
  send(msg: PeerMessage, participant: ParticipantId): void {
    this.sealed.send(this.recipient(participant), msg);
  }

  /** Where a bound message to `participant` goes: their latest address and page session. */
  recipient(participant: ParticipantId): Recipient & { participant: ParticipantId } {
    const last = this.heard.findLast((m) => m.participant === participant);
    if (!last) throw new Error(`${this.presence.name} never heard from ${participant}`);
    return { peer: last.from, participant, session: last.session };
  }

  /**
   * An envelope signed with this person's own key for an exact payload, sealed
   * from relay address `from` to `to`: what a relay could have kept of theirs.
   */
  async envelope(
    from: PeerId,
    to: PeerId | undefined,
    fields: Partial<SealedPayload> & Pick<SealedPayload, 'seq' | 'msg'>,
  ): Promise<string> {
    const body = encodeSealedPayload({ from: this.participant, session: this.identity.session, to: ANYONE, toSession: ANYONE, ...fields });
    const header = envelopeHeader(this.#room.key.room, from, to);
    const sealed = await seal(
      this.#room.key.key,
      this.#room.key.room,
      from,
      to,
      joinSigned(await this.identity.sign(signedText(header, body)), body),
    );
    if (sealed === undefined) throw new Error('too long to seal');
    return sealed;
  }

  /** The presences (hello, welcome or change) heard from `participant`, oldest first. */
  presencesFrom(participant: ParticipantId): Presence[] {
    const out: Presence[] = [];
    for (const { participant: p, msg } of this.heard) {
      if (p === participant && (msg.type === 'presence' || msg.type === 'hello' || msg.type === 'welcome')) {
        out.push({ name: msg.name, micMuted: msg.micMuted, cameraOff: msg.cameraOff, screenSharing: msg.screenSharing });
      }
    }
    return out;
  }

  /** Takes `participant` for gone, as a page does once the relay says they left: its next welcome to them is fresh. */
  forget(participant: ParticipantId): void {
    this.#welcomed.delete(participant);
    this.#fresh.add(participant);
  }

  leave(): void {
    this.signaling.close();
    this.sealed.close();
  }

  #answer(m: SealedMessage): void {
    if (!this.answers) return;
    const to = { peer: m.from, participant: m.participant, session: m.session };
    if (m.msg.type === 'hello') this.#welcome(to);
    if (m.msg.type !== 'welcome') return;
    this.admittedBy.set(m.participant, { peer: m.from, session: m.session });
    if (!this.#welcomed.has(m.participant)) this.#welcome(to);
    this.sealed.send(to, { type: 'reveal', salt: this.#salt });
  }

  #welcome(to: Recipient & { participant: ParticipantId }): void {
    const commit = commitment({ participant: this.participant, certificate: toBase64Url(new Uint8Array(32)), salt: this.#salt });
    const fresh = this.#fresh.delete(to.participant);
    this.sealed.send(to, { type: 'welcome', commit, fresh, ...this.presence });
    this.#welcomed.add(to.participant);
  }
}

// Sealing and opening are WebCrypto promises: wait for what they lead to with
// the real clock, even where a test fakes timers for the session.
const realTimeout = globalThis.setTimeout;

/** Retries `assertion` until it passes (WebCrypto settles in a few ms, more on a loaded machine), and fails with its last error after `ms`. */
export async function until(assertion: () => void, ms = 10_000): Promise<void> {
  const step = 5;
  for (let waited = 0; ; waited += step) {
    try {
      assertion();
      return;
    } catch (err) {
      if (waited >= ms) throw err;
    }
    await new Promise((resolve) => realTimeout(resolve, step));
  }
}

/** A CallSession started and joined (phase `waiting` or later). */
export async function joined(call: FakeCall): Promise<FakeCall> {
  call.session.start();
  await until(() => expect(call.signaling.state).toBe('open'));
  return call;
}

/** Lets the person's sealing and the session's opening settle. */
export const settled = (...people: Person[]): Promise<unknown> => Promise.all(people.map((p) => p.sealed.drained()));
