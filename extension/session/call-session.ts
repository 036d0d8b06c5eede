// One call, in one call tab: the relay socket, one PeerLink per remote
// participant, the local media, chat and files, and a plain state snapshot for
// the UI. No UI code here.
//
// Participants are known by the participant id they carry inside sealed
// messages, not by the relay's peer id: the relay address of a participant
// changes on every reconnect (a restarted relay remembers nothing), while
// their media link and tile go on.
//
// Who someone is rests on their signing key (identity.ts): a participant
// appears only after a welcome bound to this page's session, and the safety
// code of each link is pinned for the call (code-trust.ts, SECURITY.md).
import type { ParticipantId, PeerId, SessionId } from '../../protocol/ids.ts';
import type { TurnServer } from '../../protocol/relay.ts';
import { Chat } from './chat.ts';
import { CHAT_CHANNEL_LABEL, FILE_CHANNEL_PREFIX } from '../../protocol/data.ts';
import { ZingError } from './errors.ts';
import { FileTransfersLater } from './file-transfers-later.ts';
import { Gestures } from './gestures.ts';
import { HeldRequests } from './held-requests.ts';
import { linkStats, sampleStats, type LinkStats, type StatsSample } from './link-stats.ts';
import type { DeviceList } from './device-list.ts';
import { choiceFor, deviceIdOf, resolveDevice, type DeviceChoice, type DeviceKind, type DevicePrefs } from './devices.ts';
import { LocalMedia, type InputKind } from './local-media.ts';
import {
  codeChanged,
  isBlocked,
  isVerified,
  needsAlert,
  nextTrust,
  PENDING,
  shownCode,
  type CodeTrust,
  type TrustEvent,
} from './code-trust.ts';
import { Identity } from './identity.ts';
import { markOnce } from './join-marks.ts';
import { NoiseSuppressor, type LoadSuppressor } from './noise-suppressor.ts';
import { BackgroundBlur, type BlurStopReason, type LoadBlur } from './background-blur.ts';
import { PeerLink, isPolite, type LinkState, type PeerLinkOptions } from './peer-link.ts';
import { ViewQuality } from './quality.ts';
import type { PeerMessage, Presence } from '../../protocol/peer.ts';
import { deriveRoomKey, type RoomKey } from './room-key.ts';
import { RecordingNotices } from './recording-notices.ts';
import { Roster } from './roster.ts';
import { commitment, digestOfFingerprint, newSalt, safetyCode, type CodeSide } from './safety-code.ts';
import { MAX_STRANGERS, SealedSignaling, type SealedMessage } from './sealed-signaling.ts';
import { displayName, type Profile, type Settings } from './settings.ts';
import type { ShareLink } from './share-link.ts';
import { SignalingClient, type SignalingOptions } from './signaling-client.ts';
import { type AudioActivity, NOT_SPEAKING, nextSpeaking, quantizeLevel, sameActivity, type SpeakingState } from './speaking.ts';
import { type BucketLimits, TokenBuckets } from './token-bucket.ts';
import { TypedEmitter } from './typed-emitter.ts';

export type CallPhase = 'connecting' | 'waiting' | 'inCall' | 'reconnecting' | 'ended' | 'failed';

export interface ParticipantView {
  /** The participant id, or `self`; a screen share is `<that id>:screen`. */
  readonly id: string;
  readonly self: boolean;
  /** A person's camera tile, or their screen share as a tile of its own. */
  readonly kind: 'camera' | 'screen';
  readonly name: string;
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  readonly screenSharing: boolean;
  readonly stream: MediaStream | null;
  /** The media link to this participant (`connected` for self). */
  readonly link: LinkState;
  /** The code to compare by voice for the link to this participant, once it is up. */
  readonly safetyCode: string | undefined;
  /** The code is not the first one seen this call (or not what they committed to). */
  readonly safetyCodeChanged: boolean;
  /** The person here marked the code verified. */
  readonly verified: boolean;
  /** Verified, then the code changed: no media to or from them until the person here decides. */
  readonly blocked: boolean;
  /** They record the call (as they say of themselves; for self: this page records). */
  readonly recording: boolean;
}

/** Someone whose safety code changed, for an alert naming them. */
export interface CodeAlert {
  readonly id: ParticipantId;
  readonly name: string;
  /** They were verified, so they are blocked until the person here decides. */
  readonly blocked: boolean;
}

/** Why an effect the person chose is not running (the call page says it in words). */
export type EffectsNotice = 'noiseSuppressionFailed' | `blur${Capitalize<BlurStopReason>}`;

/** What is done to this person's own sound and picture before it is sent. */
export interface EffectsState {
  /** The person's choices, kept for the next call (blur turns itself off where it cannot run). */
  readonly noiseSuppression: boolean;
  readonly blurBackground: boolean;
  /** The latest thing to tell the person about them; undefined while all is well. */
  readonly notice: EffectsNotice | undefined;
}

const BLUR_NOTICES: Record<BlurStopReason, EffectsNotice> = {
  tooSlow: 'blurTooSlow',
  canvasBlocked: 'blurCanvasBlocked',
  failed: 'blurFailed',
};

export interface CallState {
  readonly phase: CallPhase;
  /** Self first, then the others in the order they were met. */
  readonly participants: readonly ParticipantView[];
  /** The id of the camera and the microphone in use, where one is open. */
  readonly inputs: Readonly<Record<InputKind, string | undefined>>;
  /** What to tell the person right now, if anything; fatal where phase is `failed`. */
  readonly alert: ZingError | undefined;
  /** Safety codes that changed and were not dismissed, in the order people were met. */
  readonly codeAlerts: readonly CodeAlert[];
  readonly effects: EffectsState;
  /** Ended because the person took this call into another tab of this browser (same-call.ts), not by Leave call. */
  readonly moved: boolean;
}

export type { AudioActivity } from './speaking.ts';

export type CallSessionEvents = {
  stateChanged: [CallState];
  /** Several times a second while in a call; kept out of CallState so the tiles do not re-render for it. */
  audioActivity: [AudioActivity];
};

/** How often audio levels are read: fast enough for a level meter, cheap for 7 links. */
export const AUDIO_POLL_MS = 150;
/** Refused signaling messages before the call warns of tampering; one can be a race, three are not. */
export const TAMPER_WARNING_AFTER = 3;
/** How often the roster is asked whom to greet again and whom to drop: its timeouts are whole seconds. */
export const ROSTER_TICK_MS = 1_000;
/**
 * How often each connected link's verified certificate is read again: a DTLS
 * restart with a new certificate fires no event in Chromium (its
 * RTCDtlsTransport goes stale), so a changed safety code shows within this long.
 */
export const SAFETY_CHECK_MS = 2_000;
/**
 * How long a link opened ahead for someone who said hello waits for their
 * welcome before it is closed: the hello may be a replay of someone long gone,
 * and a real one is welcomed within a relay round trip (a lost welcome is
 * greeted again within HELLO_RETRY_MS × HELLO_ATTEMPTS).
 */
export const EARLY_LINK_MS = 10_000;
/**
 * How often a member may make this page build its link to them anew (a fresh
 * welcome, or an offer from a new connection). Waking from a sleep takes one;
 * a loop of them, which any member could send at the relay's message rate,
 * would have this page make a peer connection and a DTLS handshake tens of
 * times a second, starving its encoders for everyone. Past the burst, the
 * latest request waits for a token (the roster's tick applies it): limited,
 * never lost.
 */
export const LINK_REBUILDS: BucketLimits = { burst: 3, perSecond: 1 / 10 };
/**
 * Joining people already in the call, the noise suppressor starts loading this
 * long after the first link is up: its AudioContext, AudioWorklet and
 * WebAssembly otherwise compete with ICE, DTLS and the first frames for the
 * main thread and the cores (bench:setup, ZING_BENCH_NOISE_SUPPRESSION=0). The
 * raw microphone (with echo cancellation) goes meanwhile, as while it loads.
 */
export const SUPPRESSOR_AFTER_LINK_MS = 1_000;
/** Whatever happens (no relay, nobody answering), it starts loading this long after the call starts at the latest. */
export const SUPPRESSOR_LATEST_MS = 5_000;
/** Links opened ahead at once, at most: a room holds 8 (relay maxPeersPerRoom), so a relay replaying old hellos gets no more. */
export const MAX_EARLY_LINKS = 8;
/**
 * Handshake messages (welcomes, with the reveal and the early link a hello
 * also earns) this page sends in answer to one relay address: a first meeting
 * and a reconnect take two or three. Someone sending hellos as fast as the
 * relay passes them would otherwise make this page send twice that, over what
 * the relay lets one member send: it would refuse this page's own negotiation
 * with everyone else, then cut it off.
 */
export const REPLY_LIMITS: BucketLimits = { burst: 6, perSecond: 1 };

/** One DTLS certificate per page, for every link: a safety code then stays put for the whole call. */
const CERTIFICATE_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const makeCertificate = (): Promise<RTCCertificate> => RTCPeerConnection.generateCertificate(CERTIFICATE_ALGORITHM);

/**
 * What a call must have before it can say anything: the room key from the
 * link, and this page's signing identity and DTLS certificate. All made
 * locally; making them sends nothing and opens nothing.
 */
export interface CallKeys {
  readonly roomKey: Promise<RoomKey>;
  readonly own: Promise<[Identity, RTCCertificate]>;
  /** All of them, once made: start() then opens the relay socket at once, before the page renders the call. */
  readonly made?: () => MadeKeys | undefined;
}

export interface MadeKeys {
  readonly roomKey: RoomKey;
  readonly identity: Identity;
  readonly certificate: RTCCertificate;
}

/**
 * Starts making a call's keys. The call page starts them as it opens, beside
 * its storage reads, and the pre-join page while the person looks at it, so
 * that on `Join call` the relay socket opens at once (bench:setup shows the
 * difference). A failure is reported by the session that uses them.
 */
export function prepareCallKeys(link: ShareLink, createCertificate: () => Promise<RTCCertificate> = makeCertificate): CallKeys {
  const own = Promise.all([Identity.create(), createCertificate()]);
  const roomKey = deriveRoomKey(link.secret);
  let made: MadeKeys | undefined;
  // A failure is reported by start(); this only keeps them from being unhandled meanwhile.
  Promise.all([roomKey, own]).then(
    ([key, [identity, certificate]]) => {
      made = { roomKey: key, identity, certificate };
    },
    () => undefined,
  );
  return { roomKey, own, made: () => made };
}

/** The presence fields of a hello, welcome or presence message. */
const presenceOf = (m: Presence): Presence => ({
  name: m.name,
  micMuted: m.micMuted,
  cameraOff: m.cameraOff,
  screenSharing: m.screenSharing,
});

// What the session uses of its collaborators: the real classes in the product,
// fakes in unit tests (tests/unit/extension/session/call-session.test.ts).

/** The relay socket: SignalingClient. */
export type SessionSignaling = Pick<SignalingClient, 'state' | 'on' | 'send' | 'connect' | 'close'>;

/**
 * Camera, microphone and screen: LocalMedia. The previews may be null where
 * there is no MediaStream to show (a test outside the browser).
 */
export type SessionMedia = Pick<
  LocalMedia,
  | 'audio'
  | 'video'
  | 'screen'
  | 'videoHeight'
  | 'start'
  | 'stop'
  | 'setMicMuted'
  | 'setCameraOff'
  | 'startScreen'
  | 'stopScreen'
  | 'deviceId'
  | 'useDevice'
  | 'on'
> & {
  readonly preview: MediaStream | null;
  readonly screenPreview: MediaStream | null;
};

/** The media link to one participant: PeerLink. Of its RTCPeerConnection only the stats are read. */
export type SessionLink = Pick<
  PeerLink,
  | 'state'
  | 'on'
  | 'chatChannel'
  | 'receive'
  | 'setTrack'
  | 'setScreen'
  | 'setVideoEncoding'
  | 'setScreenEncoding'
  | 'cameraStats'
  | 'screenStats'
  | 'videoMids'
  | 'remoteAudioLevel'
  | 'localAudioLevel'
  | 'certificates'
  | 'setBlocked'
  | 'resync'
  | 'negotiated'
  | 'openDataChannel'
  | 'setIceServers'
  | 'close'
> & {
  readonly pc: Pick<RTCPeerConnection, 'getStats'>;
};

export interface CallSessionDeps {
  profile: Profile;
  settings: Settings;
  /** Persists mute and camera preferences for the next call. */
  saveProfile: (patch: Partial<Profile>) => Promise<unknown>;
  /** Renames made elsewhere (the popup) reach the call through this. */
  onProfileChanged: (listener: (profile: Profile) => void) => () => void;
  signaling?: Partial<SignalingOptions>;
  /** Makes the relay socket; a SignalingClient unless given. */
  createSignaling?: (link: ShareLink, options: Partial<SignalingOptions> | undefined) => SessionSignaling;
  /** Makes the local media; a LocalMedia unless given (the pre-join page hands over its preview's). */
  createMedia?: (options: { maxVideoHeight: number }) => SessionMedia;
  /** The camera, microphone and speaker the person chose; none: the defaults. */
  devices?: DevicePrefs;
  /** The devices plugged in, to find the chosen ones among; without it the remembered ids are tried as they are. */
  deviceList?: Pick<DeviceList, 'devices' | 'ready' | 'refresh'>;
  /** Remembers a device chosen in the call for the next one. */
  saveDevice?: (kind: DeviceKind, choice: DeviceChoice | undefined) => Promise<unknown>;
  /** Makes the link to one participant; a PeerLink unless given. */
  createLink?: (options: PeerLinkOptions) => SessionLink;
  /** Makes this page's DTLS certificate; an ECDSA P-256 RTCCertificate unless given. */
  createCertificate?: () => Promise<RTCCertificate>;
  /** The call's keys, started ahead (prepareCallKeys); made at start() unless given. */
  keys?: CallKeys;
  /** Loads the noise suppressor; RNNoise in an AudioWorklet unless given. */
  loadSuppressor?: LoadSuppressor;
  /** Loads the background blur; MediaPipe and a canvas unless given. */
  loadBlur?: LoadBlur;
}

/** What this page and one other said to each other to set up their safety code (protocol/peer.ts, "Handshake"). */
interface Pairing {
  /** Their page session, which every bound message to them names. */
  readonly session: SessionId;
  /** Our salt for this pair. */
  readonly salt: string;
  /** Our welcome (and so our commitment) went out since they were last admitted. */
  welcomed: boolean;
  /** Our salt went out since they were last admitted. */
  revealed: boolean;
  /** Their commitment, from their first welcome; a later one never replaces it. */
  theirCommit: string | undefined;
  theirSalt: string | undefined;
}

/**
 * A link the offering side opened as it welcomed someone who said hello, so its
 * offer follows the welcome at once (protocol/peer.ts, "Handshake"). It is
 * nobody's until their welcome admits them: no tile, no chat; their answer and
 * candidates are taken only from someone on the roster.
 */
interface EarlyLink {
  readonly link: SessionLink;
  /** Where its offer and candidates go, bound to that page session. */
  readonly peer: PeerId;
  readonly session: SessionId;
  readonly openedAt: number;
  readonly stopSending: () => void;
}

/** A participant's link and what we know of them; where they are is the roster's business. */
interface Remote {
  readonly participant: ParticipantId;
  link: SessionLink;
  presence: Presence;
  stream: MediaStream | null;
  screen: MediaStream | null;
  lastStats: StatsSample | undefined;
  /** Their chat channel, kept while they are blocked so the chat can resume. */
  chatChannel: RTCDataChannel | undefined;
  /** Safety code checks, one after another so an older reading never lands after a newer one. */
  codeCheck: Promise<void>;
  /** A check is queued and has not begun: another request adds nothing (each reads getStats on the WebRTC thread). */
  codeCheckQueued: boolean;
}

const SELF_ID = 'self';

export class CallSession extends TypedEmitter<CallSessionEvents> {
  readonly link: ShareLink;
  /** Text chat with everyone, peer to peer over each link's `chat` data channel. */
  readonly chat = new Chat();
  /** Raised hands and reactions, peer to peer over the same channels as the chat. */
  readonly gestures = new Gestures({ self: () => this.participant, send: (msg, to) => this.chat.sendGesture(msg, to) });
  /** Files to and from everyone, one data channel per transfer and participant; its code loads with the first peer. */
  readonly files: FileTransfersLater;
  /** Each link sized to what its receiver shows, and what we show told to each sender (quality.ts). */
  readonly quality: ViewQuality;
  /** Who records the call, over the chat channels; this page's own recorder lives in the UI's lazy chunk. */
  readonly #notices = new RecordingNotices({ send: (msg, to) => this.chat.sendGesture(msg, to), changed: () => this.#update() });
  readonly #deps: CallSessionDeps;
  readonly #signaling: SessionSignaling;
  #sealed: SealedSignaling | undefined;
  /** Who this tab is to the others, for the whole call; made when it starts. */
  #identity: Identity | undefined;
  /** This page's DTLS certificate, and the SHA-256 its commitments name. */
  #certificate: RTCCertificate | undefined;
  #certificateDigest = '';
  readonly #pairings = new Map<ParticipantId, Pairing>();
  /** Camera turns (#setCamera) so far: only the newest one's outcome is applied. */
  #cameraRequests = 0;
  /**
   * Pairings of people never admitted, oldest first. Every hello earns a welcome, and so a pairing:
   * a link holder greeting under fresh identities (REPLY_LIMITS's pace per address, from as many
   * addresses as the relay lets it open) would have them pile up for the whole call. The newest
   * MAX_STRANGERS are kept, as SealedSignaling keeps their keys; a newcomer's welcome comes within a
   * round trip of ours, so only a flood pushes out a pairing someone honest still needs, and then
   * their code shows a mismatch rather than a match nobody checked.
   */
  readonly #strangerPairings = new Set<ParticipantId>();
  /** Safety code trust per participant, for the whole call: it outlives their tile. */
  readonly #trust = new Map<ParticipantId, CodeTrust>();
  readonly #media: SessionMedia;
  readonly #createLink: (options: PeerLinkOptions) => SessionLink;
  readonly #noise: NoiseSuppressor;
  /** The microphone as every link sends it: raw, or through the noise suppressor. */
  #sentAudio: MediaStreamTrack | null = null;
  readonly #blur: BackgroundBlur;
  /** The camera as every link sends it: raw, blurred, or nothing while the blur loads. */
  #sentVideo: MediaStreamTrack | null = null;
  /** The own tile's picture while the blur runs: what the others see. */
  #blurView: MediaStream | undefined;
  #notice: EffectsNotice | undefined;
  /** Whom we took for gone, closing their link: our next welcome to them says so (`fresh`). */
  readonly #droppedLinks = new Set<ParticipantId>();
  /** New links asked for, each with the offer that asked, if one did; past LINK_REBUILDS the latest is held. */
  readonly #rebuilds = new HeldRequests<ParticipantId, PeerMessage>(LINK_REBUILDS);
  /** Who is at which relay address, whom to greet again, who vanished; in step with #remotes. */
  readonly #roster = new Roster();
  readonly #remotes = new Map<ParticipantId, Remote>();
  readonly #early = new Map<ParticipantId, EarlyLink>();
  /** Answers owed per relay address (REPLY_LIMITS); addresses are new after our every rejoin, and so are these. */
  #replies = new TokenBuckets<PeerId>(REPLY_LIMITS);
  readonly #cleanups: (() => void)[] = [];
  readonly #speaking = new Map<string, SpeakingState>();
  /** What audioActivity last said, so the same reading is not said again. */
  #activity: AudioActivity | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];
  /** Releases the noise suppressor (SUPPRESSOR_AFTER_LINK_MS, SUPPRESSOR_LATEST_MS). */
  #suppressorTimers: ReturnType<typeof setTimeout>[] = [];
  #suppressorSoon = false;
  #turn: TurnServer[] = [];
  #rejected = 0;
  #presence: Presence;
  #alert: ZingError | undefined;
  #phase: CallPhase = 'connecting';
  #moved = false;
  #state: CallState;
  #started = false;

  constructor(link: ShareLink, deps: CallSessionDeps) {
    super();
    this.link = link;
    this.#deps = deps;
    this.#presence = {
      name: displayName(deps.profile),
      micMuted: deps.profile.micMuted,
      cameraOff: deps.profile.cameraOff,
      screenSharing: false,
    };
    const createSignaling = deps.createSignaling ?? ((l, options) => new SignalingClient(l, options));
    const createMedia = deps.createMedia ?? ((options) => new LocalMedia(options));
    this.#signaling = createSignaling(link, deps.signaling);
    this.#media = createMedia({ maxVideoHeight: deps.settings.maxVideoHeight });
    this.#createLink = deps.createLink ?? ((options) => new PeerLink(options));
    this.quality = new ViewQuality({ budgetBps: this.uploadBudgetBps, maxCameraHeight: deps.settings.maxVideoHeight, media: this.#media });
    this.#media.on('ended', ({ kind, label }) => void this.#deviceLost(kind, label));
    this.#noise = new NoiseSuppressor({
      enabled: deps.profile.noiseSuppression,
      held: true,
      ...(deps.loadSuppressor && { load: deps.loadSuppressor }),
    });
    this.#noise.on('changed', () => this.#syncAudio());
    this.#noise.on('failed', (err) => {
      console.warn('zing: the noise suppressor could not start', err);
      this.#notice = 'noiseSuppressionFailed';
      this.#update();
    });
    this.#blur = new BackgroundBlur({ enabled: deps.profile.blurBackground, ...(deps.loadBlur && { load: deps.loadBlur }) });
    this.#blur.on('changed', () => {
      this.#syncVideo();
      this.#update();
    });
    // A blur that stops by itself (too slow, no WebGL, canvas blocked) must not reveal the room the
    // person chose to hide: the camera goes off, and only they turn it on again, unblurred. The
    // presence says so at once, before the blur's 'changed', so #syncVideo never sends the raw camera.
    this.#blur.on('stopped', (reason) => {
      this.#notice = BLUR_NOTICES[reason];
      this.#presence = { ...this.#presence, cameraOff: true };
      void this.#setCamera(true);
    });
    // Blurred frames nobody is sent are wasted work: the blur composites at about the rate the links send.
    this.quality.on('cameraFrameRate', (fps) => this.#blur.capFrameRate(fps > 0 ? fps : undefined));
    this.files = new FileTransfersLater({
      openChannel: (participant, label) => {
        const remote = this.#remotes.get(participant);
        if (!remote) throw new Error(`no link to ${participant}`);
        return remote.link.openDataChannel(label);
      },
      askAboveBytes: deps.settings.askForFilesAboveBytes,
    });
    this.chat.on('gesture', (from, msg) => this.gestures.receive(from, msg));
    this.chat.on('recording', (from, msg) => this.#notices.receive(from, msg));
    this.#state = this.#snapshot();
  }

  get state(): CallState {
    return this.#state;
  }

  /** Who this tab is to the others, once the call has started. */
  get participant(): ParticipantId | undefined {
    return this.#identity?.participant;
  }

  /** Opens camera and relay at the same time: neither waits for the other. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    markOnce('start');
    void this.#startMedia();
    const keys = this.#deps.keys ?? prepareCallKeys(this.link, this.#deps.createCertificate);
    const made = keys.made?.();
    if (made) this.#connect(made);
    else void this.#connectOnceMade(keys);
    this.#suppressorTimers.push(setTimeout(() => this.#noise.release(), SUPPRESSOR_LATEST_MS));
    this.#timers.push(
      setInterval(() => void this.#pollAudio(), AUDIO_POLL_MS),
      setInterval(() => this.#tick(), ROSTER_TICK_MS),
      setInterval(() => this.#checkCodes(), SAFETY_CHECK_MS),
    );
  }

  async #connectOnceMade(keys: CallKeys): Promise<void> {
    let roomKey: RoomKey;
    try {
      roomKey = await keys.roomKey;
    } catch (err) {
      this.#fail(new ZingError('BAD_LINK', 'The key in this link could not be used.', { cause: err }));
      return;
    }
    if (!this.#roomMatches(roomKey)) return;
    let identity: Identity;
    let certificate: RTCCertificate;
    try {
      [identity, certificate] = await keys.own;
    } catch (err) {
      this.#fail(new ZingError('CRYPTO_UNAVAILABLE', 'no signing key or DTLS certificate', { cause: err }));
      return;
    }
    this.#connect({ roomKey, identity, certificate });
  }

  #roomMatches(key: RoomKey): boolean {
    if (key.room === this.link.room) return true;
    this.#fail(ZingError.badLink('Its key does not belong to its room: part of the link was changed. Ask for it again.'));
    return false;
  }

  /** With the call's keys made: checks them and opens the relay socket. */
  #connect({ roomKey, identity, certificate }: MadeKeys): void {
    if (!this.#roomMatches(roomKey)) return;
    const digest = certificate
      .getFingerprints()
      .map((fp) => digestOfFingerprint(fp.algorithm ?? '', fp.value ?? ''))
      .find(Boolean);
    if (!digest) {
      this.#fail(new ZingError('CRYPTO_UNAVAILABLE', 'the DTLS certificate has no SHA-256 fingerprint'));
      return;
    }
    if (this.#phase === 'ended' || this.#phase === 'failed') return;
    this.#identity = identity;
    this.#certificate = certificate;
    this.#certificateDigest = digest;
    this.#sealed = new SealedSignaling(this.#signaling, roomKey, identity);
    this.#listen(this.#sealed);
    markOnce('connect');
    this.#signaling.connect();
  }

  async #startMedia(): Promise<void> {
    const list = this.#deps.deviceList;
    // A read of the device list takes a few ms, and the page started it long before.
    await list?.ready;
    const present = list?.devices ?? [];
    const wanted = this.#deps.devices ?? {};
    const camera = resolveDevice('camera', wanted.camera, present);
    const microphone = resolveDevice('microphone', wanted.microphone, present);
    const error = await this.#media.start({ ...this.#presence, camera: deviceIdOf(camera), microphone: deviceIdOf(microphone) });
    if (this.#phase === 'ended' || this.#phase === 'failed') return this.#media.stop();
    const missing = [camera, microphone].find((r) => r.use === 'gone');
    if (error) this.#setAlert(error);
    else if (missing?.use === 'gone') this.#setAlert(new ZingError('DEVICE_MISSING', missing.label));
    this.#syncAudio();
    this.#syncVideo();
    this.#govern();
    this.#update();
    // Allowed now, the browser names its devices: the lists in Settings show them.
    void list?.refresh();
  }

  /**
   * Switches the camera or microphone (undefined: the default) without
   * renegotiating: every link swaps the track it sends (replaceTrack).
   * Remembered for the next call.
   */
  async useDevice(kind: InputKind, id: string | undefined): Promise<void> {
    if (this.#phase === 'ended' || this.#phase === 'failed') return;
    try {
      // A later pick that opened first is the one in use, and the one remembered.
      if (!(await this.#media.useDevice(kind, id))) return;
      if (this.#alert?.code === 'DEVICE_MISSING' || this.#alert?.code === `${kind === 'camera' ? 'CAMERA' : 'MICROPHONE'}_LOST`) {
        this.#alert = undefined;
      }
    } catch (err) {
      this.#setAlert(err instanceof ZingError ? err : ZingError.fromMediaError(err));
    }
    this.#afterDeviceChange(kind);
    await this.#deps.saveDevice?.(kind, id === undefined ? undefined : choiceFor(kind, id, this.#deps.deviceList?.devices ?? []));
  }

  // A camera or microphone unplugged mid-call: the default takes over, and the person is told which one went.
  async #deviceLost(kind: InputKind, label: string): Promise<void> {
    if (this.#phase === 'ended' || this.#phase === 'failed') return;
    this.#afterDeviceChange(kind);
    try {
      await this.#media.useDevice(kind, undefined);
      this.#setAlert(new ZingError(kind === 'camera' ? 'CAMERA_LOST' : 'MICROPHONE_LOST', label));
    } catch (err) {
      this.#setAlert(err instanceof ZingError ? err : ZingError.fromMediaError(err));
    }
    this.#afterDeviceChange(kind);
  }

  #afterDeviceChange(kind: InputKind): void {
    // Where the suppressor or the blur runs, its output stays the same track: only its input changes.
    if (kind === 'camera') {
      this.#syncVideo();
      this.#govern();
    } else {
      this.#syncAudio();
    }
    this.#update();
  }

  #listen(sealed: SealedSignaling): void {
    const s = this.#signaling;
    this.#cleanups.push(
      s.on('stateChanged', () => this.#update()),
      s.on('joined', ({ peers, iceServers }) => this.#onJoined(peers, iceServers)),
      s.on('iceServers', (servers) => this.#useTurn(servers)),
      s.on('peerJoined', (peer) => {
        this.#roster.peerJoined(peer, performance.now());
        this.#sendHello(peer);
      }),
      s.on('peerLeft', (peer) => {
        for (const [participant, early] of this.#early) if (early.peer === peer) this.#closeEarly(participant);
        // Only their current address leaving is a leave; an old one is a reconnect.
        const left = this.#roster.peerLeft(peer);
        this.#replies.forget(peer);
        if (left !== undefined) this.#removeRemote(left);
      }),
      s.on('relayError', ({ code, detail }) => {
        if (code === 'ROOM_FULL') this.#fail(new ZingError('ROOM_FULL', detail));
        else console.warn(`zing: relay said ${code}: ${detail}`);
      }),
      s.on('unreachable', () => {
        if (this.#alert?.code !== 'CAMERA_DENIED') this.#setAlert(new ZingError('RELAY_UNREACHABLE', this.link.relayOrigin));
      }),
      sealed.on('message', (m) => this.#onMessage(m)),
      sealed.on('rejected', ({ from, reason }) => this.#refused(`a signaling message from ${from} (${reason})`)),
      this.#deps.onProfileChanged((profile) => {
        // A box emptied elsewhere falls back to the picked guest name, as everywhere.
        const name = displayName(profile);
        if (name !== this.#presence.name) {
          this.#presence = { ...this.#presence, name };
          this.#sendPresence();
          this.#update();
        }
      }),
      () => sealed.close(),
    );
  }

  /** Figures for each remote participant's link, measured since the previous call. */
  async linkStats(): Promise<Record<string, LinkStats>> {
    const out: Record<string, LinkStats> = {};
    await Promise.all(
      [...this.#remotes.entries()].map(async ([id, remote]) => {
        const report = await remote.link.pc.getStats();
        // Timed by when the stats were gathered, not when the promise settled: on a busy page those differ by seconds.
        let at = performance.now();
        report.forEach((s: { timestamp?: number }) => {
          if (typeof s.timestamp === 'number') at = s.timestamp;
        });
        // RTCStatsReport is typed as a map of `any`; sampleStats narrows each field.
        const mids = remote.link.videoMids();
        // Their camera turned off keeps its last frame size in our stats. Its frames stopping says so from the
        // second sample on (link-stats.ts); their presence says so already in the panel's first.
        if (remote.presence.cameraOff) mids.receiveCamera = null;
        const sample = sampleStats(report.values() as Iterable<Record<string, unknown>>, at, mids);
        out[id] = linkStats(remote.lastStats, sample);
        remote.lastStats = sample;
      }),
    );
    return out;
  }

  /** The largest local recording of this call, in bytes (settings; MAX_RECORDING_BYTES unless set lower). */
  get maxRecordingBytes(): number {
    return this.#deps.settings.maxRecordingBytes;
  }

  /** The upload budget the governor splits between links, in bits per second. */
  get uploadBudgetBps(): number {
    return this.#deps.settings.uploadBudgetKbps * 1000;
  }

  async setMicMuted(muted: boolean): Promise<void> {
    this.#media.setMicMuted(muted);
    this.#syncAudio();
    this.#presence = { ...this.#presence, micMuted: muted };
    this.#sendPresence();
    this.#update();
    await this.#deps.saveProfile({ micMuted: muted });
  }

  async setCameraOff(off: boolean): Promise<void> {
    if (this.#phase === 'ended' || this.#phase === 'failed') return; // a shortcut just as the call ends opens nothing
    // Turning the camera on after a blur stopped is the choice to show the room unblurred: its notice is done.
    if (!off) this.#clearBlurNotice();
    if (await this.#setCamera(off)) await this.#deps.saveProfile({ cameraOff: off });
  }

  #clearBlurNotice(): void {
    if (this.#notice?.startsWith('blur')) this.#notice = undefined;
  }

  /**
   * Turns the camera off or on everywhere, without remembering it for the next call; false if
   * the camera refused, or a later call (the person's, or a blur that stopped) came first.
   */
  async #setCamera(off: boolean): Promise<boolean> {
    // Turning on can take seconds. Whatever was asked meanwhile is what holds: an on that finished
    // last would write cameraOff: false over a blur's stop, and send the room it was hiding.
    const request = ++this.#cameraRequests;
    try {
      await this.#media.setCameraOff(off);
    } catch (err) {
      if (request === this.#cameraRequests) this.#setAlert(err instanceof ZingError ? err : ZingError.fromMediaError(err));
      return false;
    }
    if (request !== this.#cameraRequests) return false;
    if (!off && this.#alert && (this.#alert.code === 'CAMERA_DENIED' || this.#alert.code === 'CAMERA_UNAVAILABLE')) {
      this.#alert = undefined;
    }
    this.#presence = { ...this.#presence, cameraOff: off };
    this.#syncVideo();
    this.#govern();
    this.#sendPresence();
    this.#update();
    return true;
  }

  /**
   * RNNoise on the microphone, or the microphone with echo cancellation only
   * (music). Each link's sender swaps track: no renegotiation.
   */
  async setNoiseSuppression(on: boolean): Promise<void> {
    this.#noise.setEnabled(on);
    this.#syncAudio();
    this.#update();
    await this.#deps.saveProfile({ noiseSuppression: on });
  }

  /**
   * Blurs the room behind the person, or sends the camera as it is. Each
   * link's sender swaps track: no renegotiation. While the blur loads, no
   * picture is sent rather than the unblurred room.
   */
  async setBlurBackground(on: boolean): Promise<void> {
    if (on) this.#clearBlurNotice();
    this.#blur.setEnabled(on);
    this.#syncVideo();
    this.#update();
    await this.#deps.saveProfile({ blurBackground: on });
  }

  /** Shares a screen, window or tab with everyone (the browser asks which), or stops sharing. */
  async setScreenSharing(on: boolean): Promise<void> {
    if (on === this.#presence.screenSharing) return;
    if (on) {
      let track: MediaStreamTrack | null;
      try {
        track = await this.#media.startScreen(() => void this.setScreenSharing(false));
      } catch (err) {
        console.warn('zing: screen capture failed', err);
        this.#setAlert(new ZingError('SCREEN_UNAVAILABLE', err instanceof Error ? err.message : String(err), { cause: err }));
        return;
      }
      if (!track || this.#phase === 'ended' || this.#phase === 'failed') return;
      if (this.#alert?.code === 'SCREEN_UNAVAILABLE') this.#alert = undefined; // allowed since
    } else {
      this.#media.stopScreen();
    }
    this.#presence = { ...this.#presence, screenSharing: on };
    for (const remote of this.#remotes.values()) void remote.link.setScreen(this.#media.screen);
    this.#govern();
    this.#sendPresence();
    this.#update();
  }

  /** Sends a file to everyone in the call now; returns the transfer id. */
  sendFile(file: File): string | undefined {
    const participants = [...this.#remotes.keys()];
    return participants.length === 0 ? undefined : this.files.send(file, participants, file.name);
  }

  /**
   * This page started or stopped recording the call (the recorder itself
   * runs in the call page): everyone sees it in this person's tile.
   */
  setRecording(on: boolean): void {
    if (this.#phase === 'ended' || this.#phase === 'failed') return;
    this.#notices.setSelf(on);
  }

  /** This person's voice as the others hear it (noise suppressed or not; null without a microphone), for a recording of the call. */
  get ownVoice(): MediaStreamTrack | null {
    return this.#sentAudio;
  }

  /** The display name of a participant id, `self` included; undefined once they are gone. */
  nameOf(id: string): string | undefined {
    return id === SELF_ID ? this.#presence.name : this.#remotes.get(id)?.presence.name;
  }

  /** The `Mark as verified` toggle in `id`'s tile. */
  markVerified(id: string, verified: boolean): void {
    this.#trustEvent(id, { type: 'markVerified', verified });
  }

  /** Lets a blocked person back in with their new code (to compare again). */
  acceptNewCode(id: string): void {
    this.#trustEvent(id, { type: 'acceptNewCode' });
  }

  /** Hides the alert about `id`'s changed code; a blocked person stays blocked. */
  dismissCodeAlert(id: string): void {
    this.#trustEvent(id, { type: 'dismiss' });
  }

  /**
   * Hangs up: the others see this participant leave at once. Safe twice.
   * `moved`: the call goes on in another tab of this browser, which the ended page says.
   */
  leave(how?: 'moved'): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#moved = how === 'moved';
    this.#teardown();
    this.#update();
  }

  /**
   * TURN credentials from the relay, which mints them only once someone else is
   * in the room: links made from now on start with them, and links already made
   * (kept across a reconnect) gather with them from their next ICE restart.
   */
  #useTurn(servers: TurnServer[]): void {
    this.#turn = servers;
    for (const link of this.#links()) link.setIceServers([...this.#deps.settings.iceServers, ...servers]);
  }

  #onJoined(peers: PeerId[], iceServers: TurnServer[] | undefined): void {
    // Alone in the room there are none; the ones from before a reconnect stay valid until they expire.
    if (iceServers) this.#useTurn(iceServers);
    // Everyone already known keeps their link; they re-announce from their new addresses.
    this.#roster.joined(peers, performance.now());
    this.#replies = new TokenBuckets(REPLY_LIMITS);
    // Alone, nobody waits for a link: the suppressor loads now.
    if (peers.length === 0) this.#noise.release();
    if (this.#alert?.code === 'RELAY_UNREACHABLE') this.#alert = undefined;
    this.#sendHello();
    this.#update();
  }

  // The handshake of protocol/peer.ts: a hello earns a welcome; a welcome
  // (bound to this page's session) admits; once both welcomed, both reveal.
  #onMessage({ from, participant, session, msg }: SealedMessage): void {
    const now = performance.now();
    // Another identity from someone's socket (one link holder posing as many, each a link and a tile),
    // or late from a socket that left (a tile nothing would take away).
    if (this.#roster.refuses(from, participant)) return;
    switch (msg.type) {
      case 'hello': {
        // Maybe a replay from before this page began: it moves only someone already here, and admits no one.
        const arrival = this.#roster.seen(from, participant, now);
        const remote = this.#remotes.get(participant);
        if (remote && arrival) this.#present(remote, presenceOf(msg), arrival);
        if (!this.#replies.take(from, now)) return;
        this.#sendWelcome(from, participant, session);
        // They may have lost our salt in an outage; resending it reveals nothing new.
        if (remote) this.#sendReveal(from, participant, true);
        else this.#openEarly(from, participant, session);
        return;
      }
      case 'welcome': {
        const arrival = this.#roster.admit(from, participant, now);
        if (arrival === undefined) return;
        const pairing = this.#pairing(participant, session);
        pairing.theirCommit ??= msg.commit;
        const remote = this.#remotes.get(participant);
        if (remote) this.#present(remote, presenceOf(msg), arrival);
        else {
          this.#addRemote(participant, presenceOf(msg), from, session);
          this.#update();
        }
        // They took us for gone (this computer slept past the relay's patience): only a welcome of ours
        // admits us again, and it must go before the new link's offer, or the offer comes from a stranger.
        const takenForGone = remote !== undefined && msg.fresh;
        if ((!pairing.welcomed || takenForGone) && this.#replies.take(from, now)) this.#sendWelcome(from, participant, session);
        this.#sendReveal(from, participant, false);
        // And they start a new link: ours starts over too, now rather than once it fails. A link
        // that has not yet negotiated with them is as new as theirs.
        if (takenForGone && remote.link.negotiated) this.#rebuild(remote);
        return;
      }
      case 'reveal': {
        const pairing = this.#pairings.get(participant);
        const remote = this.#remotes.get(participant);
        if (!pairing || pairing.theirSalt !== undefined || !remote) return;
        pairing.theirSalt = msg.salt;
        this.#checkCode(remote);
        return;
      }
      case 'presence': {
        const arrival = this.#roster.seen(from, participant, now);
        const remote = this.#remotes.get(participant);
        // Someone not admitted may be a replay from before this page began.
        if (remote && arrival) this.#present(remote, presenceOf(msg), arrival);
        return;
      }
      default:
        // Media negotiation only from where that participant is now.
        if (this.#roster.isAt(participant, from)) this.#remotes.get(participant)?.link.receive(msg);
    }
  }

  #present(remote: Remote, presence: Presence, arrival: 'new' | 'moved' | 'same'): void {
    remote.presence = presence;
    // The same person at a new relay address: a reconnect, not a leave and a join.
    if (arrival === 'moved') remote.link.resync();
    this.#update();
  }

  #pairing(participant: ParticipantId, session: SessionId): Pairing {
    let pairing = this.#pairings.get(participant);
    if (!pairing) {
      pairing = { session, salt: newSalt(), welcomed: false, revealed: false, theirCommit: undefined, theirSalt: undefined };
      this.#pairings.set(participant, pairing);
      if (!this.#remotes.has(participant)) this.#strangerPairings.add(participant);
      for (const oldest of this.#strangerPairings) {
        if (this.#strangerPairings.size <= MAX_STRANGERS) break;
        this.#strangerPairings.delete(oldest);
        this.#pairings.delete(oldest);
      }
    }
    return pairing;
  }

  /**
   * Our welcome to `participant` at `peer`, bound to their session, with our
   * commitment for the pair. The first one since we took them for gone says
   * `fresh`, once: a first meeting is not fresh (both links are new), and
   * neither is a welcome repeated for a hello sent again, which would start
   * over a link that had just started over.
   */
  #sendWelcome(peer: PeerId, participant: ParticipantId, session: SessionId): void {
    const identity = this.#identity;
    if (!identity) return;
    const fresh = this.#droppedLinks.delete(participant);
    const pairing = this.#pairing(participant, session);
    const commit = commitment({ participant: identity.participant, certificate: this.#certificateDigest, salt: pairing.salt });
    this.#sealed?.send({ peer, participant, session }, { type: 'welcome', commit, fresh, ...this.#presence });
    pairing.welcomed = true;
  }

  /** Our salt, once both commitments are out: theirs arrived and ours went before. */
  #sendReveal(peer: PeerId, participant: ParticipantId, again: boolean): void {
    const pairing = this.#pairings.get(participant);
    if (!pairing?.theirCommit || !pairing.welcomed || (pairing.revealed && !again)) return;
    this.#sealed?.send({ peer, participant, session: pairing.session }, { type: 'reveal', salt: pairing.salt });
    pairing.revealed = true;
  }

  #addRemote(participant: ParticipantId, presence: Presence, peer: PeerId, session: SessionId): Remote {
    markOnce('admitted');
    this.#sealed?.keep(participant);
    // Admitted: their pairing (salts, commitments) is kept for the whole call, as their key is.
    this.#strangerPairings.delete(participant);
    // File transfer's code, ready before this peer's link could carry a file (file-transfers-later.ts).
    this.files.load();
    const early = this.#takeEarly(participant, peer, session);
    const remote: Remote = {
      participant,
      // Set just below: a link's listeners need the remote they belong to.
      link: undefined as unknown as SessionLink,
      presence,
      stream: null,
      screen: null,
      lastStats: undefined,
      chatChannel: undefined,
      codeCheck: Promise.resolve(),
      codeCheckQueued: false,
    };
    remote.link = this.#newLink(remote, this.#offersTo(participant), this.#certificate, early);
    this.#remotes.set(participant, remote);
    this.#govern();
    return remote;
  }

  #linkOptions(participant: ParticipantId, initiator: boolean, certificate: RTCCertificate | undefined): PeerLinkOptions {
    return {
      self: this.#identity?.participant ?? '',
      remote: participant,
      iceServers: [...this.#deps.settings.iceServers, ...this.#turn],
      iceTransportPolicy: this.#deps.settings.relayOnly ? 'relay' : 'all',
      initiator,
      audio: this.#sentAudio,
      video: this.#sentVideo,
      ...(certificate ? { certificate } : {}),
    };
  }

  /**
   * Opens the link to someone who said hello, as we welcome them, where we are
   * the side that offers: the offer then goes right behind the welcome instead
   * of waiting a round trip for theirs (#12, bench:setup). Sent bound to the
   * page session their hello named, so only that page can use it; nothing of
   * theirs is taken until a welcome of theirs admits them. Someone blocked
   * (their verified code changed) gets nothing ahead.
   */
  #openEarly(peer: PeerId, participant: ParticipantId, session: SessionId): void {
    const self = this.#identity?.participant;
    if (self === undefined || isPolite(self, participant) || isBlocked(this.#trust.get(participant) ?? PENDING)) return;
    const open = this.#early.get(participant);
    if (open?.peer === peer && open.session === session) return;
    this.#closeEarly(participant);
    if (this.#early.size >= MAX_EARLY_LINKS) return;
    markOnce('earlyLink');
    const link = this.#createLink(this.#linkOptions(participant, true, this.#certificate));
    const stopSending = link.on('signal', (msg) => this.#sealed?.send({ peer, participant, session }, msg));
    this.#early.set(participant, { link, peer, session, openedAt: performance.now(), stopSending });
  }

  /** The early link to `participant`, now theirs, if it went to where and to whom their welcome came from; any other is closed. */
  #takeEarly(participant: ParticipantId, peer: PeerId, session: SessionId): SessionLink | undefined {
    const early = this.#early.get(participant);
    if (!early) return undefined;
    this.#early.delete(participant);
    early.stopSending();
    if (early.peer !== peer || early.session !== session) {
      early.link.close();
      return undefined;
    }
    return early.link;
  }

  /** Every media link: everyone's, and those opened early (which send what everyone's send). */
  #links(): SessionLink[] {
    return [...[...this.#remotes.values()].map((r) => r.link), ...[...this.#early.values()].map((e) => e.link)];
  }

  #closeEarly(participant: ParticipantId): void {
    const early = this.#early.get(participant);
    if (!early) return;
    this.#early.delete(participant);
    early.stopSending();
    early.link.close();
  }

  /** A media link to `remote` with every listener the session needs: a new one, or the one opened early. */
  #newLink(remote: Remote, initiator: boolean, certificate: RTCCertificate | undefined, early?: SessionLink): SessionLink {
    const { participant } = remote;
    const link = early ?? this.#createLink(this.#linkOptions(participant, initiator, certificate));
    // A listener of a link that was since replaced (a test's renewLink) does nothing.
    const current = () => remote.link === link;
    link.on('signal', (msg) => {
      // Never undefined while the link is open (both leave the roster together), but undefined would mean everyone.
      const peer = this.#roster.peerOf(participant);
      const session = this.#pairings.get(participant)?.session;
      if (peer !== undefined && session !== undefined) this.#sealed?.send({ peer, participant, session }, msg);
    });
    link.on('remoteStream', (stream) => {
      if (!current()) return;
      remote.stream = stream;
      this.#update();
    });
    link.on('remoteScreen', (stream) => {
      if (!current()) return;
      remote.screen = stream;
      this.#update();
    });
    link.on('stateChanged', (state) => {
      if (!current()) return;
      if (state === 'connected') this.quality.linkConnected(participant);
      if (state === 'connected') this.#checkCode(remote);
      if (state === 'connected') this.#releaseSuppressorSoon();
      this.#update();
    });
    link.on('dtlsConnected', () => this.#checkCode(remote));
    link.on('remoteReplaced', (msg) => {
      if (current()) this.#replaceLink(remote, msg);
    });
    link.on('refused', (what) => this.#refused(`${what} from ${participant}`));
    const blocked = () => isBlocked(this.#trust.get(participant) ?? PENDING);
    // One chat channel a link: the latest. Their end opens a new one when it replaced its connection
    // under a new certificate (this link takes that as it is, and the old channel is dead); one opened
    // beside a live one is a peer's doing. Either way the one it replaces is closed, not held unread.
    let linkChat = link.chatChannel;
    link.on('dataChannel', (channel) => {
      if (channel.label === CHAT_CHANNEL_LABEL) {
        if (linkChat !== channel) linkChat?.close();
        linkChat = channel;
        this.#attachChat(remote, channel);
        if (!blocked() && current()) this.quality.addChannel(participant, channel);
      } else if (channel.label.startsWith(FILE_CHANNEL_PREFIX) && !blocked()) this.files.acceptChannel(participant, channel);
      else channel.close();
    });
    if (link.chatChannel) this.#attachChat(remote, link.chatChannel);
    if (blocked()) void link.setBlocked(true);
    if (this.#media.screen) void link.setScreen(this.#media.screen);
    // Sized by what its receiver shows; a renewed link keeps what they said.
    this.quality.addLink(participant, link);
    if (link.chatChannel && !blocked()) this.quality.addChannel(participant, link.chatChannel);
    return link;
  }

  /**
   * `remote`'s chat channel (new, or replacing theirs): the chat takes it, and
   * they are told our hand and whether we record. A blocked person's is taken
   * blocked (chat.ts): only their hand and recording notices come through.
   */
  #attachChat(remote: Remote, channel: RTCDataChannel): void {
    const { participant } = remote;
    remote.chatChannel = channel;
    this.chat.addPeer(participant, channel);
    if (isBlocked(this.#trust.get(participant) ?? PENDING)) {
      this.chat.block(participant, true);
      return;
    }
    this.gestures.peerJoined(participant); // our hand, if it is up, for whoever is new on this channel
    this.#notices.peerJoined(participant);
  }

  /**
   * Their end of the link started over with a new connection under the same
   * certificate: their page took us for gone (this computer slept, or was away
   * from the network for longer than the relay waits) and welcomed us back as
   * someone new, while ours still held the old connection, whose DTLS session
   * is gone at their end and will not restart for the same certificate.
   * A new link takes its place, offering if we are the side that offers, and
   * takes their offer where we are the side that answers. (Their answer to our
   * old link's offer is dropped: the new link, being the offering side then,
   * sends a new offer.)
   *
   * Where we offer, their offer is dropped too. Zing's own pages never send
   * one from the answering side; a page that does would have our new link
   * answer it while also offering its own transceivers, and our tile of them
   * would follow those, which carry nothing of theirs. Our new link's offer
   * reaches them instead, and as the polite side they take it.
   */
  #replaceLink(remote: Remote, msg: PeerMessage): void {
    const offer = msg.type === 'description' && msg.description.type === 'offer' ? msg : undefined;
    this.#rebuild(remote, this.#offersTo(remote.participant) ? undefined : offer);
  }

  /** A new link to `remote`, handed `offer` if one asked for it; within LINK_REBUILDS, else held for the tick. */
  #rebuild(remote: Remote, offer?: PeerMessage): void {
    const now = this.#rebuilds.request(remote.participant, offer, performance.now());
    if (now) this.#rebuildNow(remote, now.payload);
  }

  #rebuildNow(remote: Remote, offer: PeerMessage | undefined): void {
    const link = this.#swapLink(remote, this.#certificate);
    if (offer) link.receive(offer);
  }

  /** The rebuilds held back that a token now allows (whoever left had theirs dropped: #removeRemote). */
  #rebuildHeld(now: number): void {
    for (const { key, payload } of this.#rebuilds.release(now)) {
      const remote = this.#remotes.get(key);
      if (remote) this.#rebuildNow(remote, payload);
    }
  }

  /**
   * Whether our link to `participant` offers first. Exactly one side of each
   * pair does: the one that does not yield in a collision. (Only asked once a
   * welcome arrived, which only happens once the identity exists.)
   */
  #offersTo(participant: ParticipantId): boolean {
    return !isPolite(this.#identity?.participant ?? '', participant);
  }

  /** A new link to `remote` in place of the one it has, which is closed; it offers first where a first link would. */
  #swapLink(remote: Remote, certificate: RTCCertificate | undefined, initiator = this.#offersTo(remote.participant)): SessionLink {
    const old = remote.link;
    remote.link = this.#newLink(remote, initiator, certificate);
    old.close();
    this.#update();
    return remote.link;
  }

  /**
   * For end-to-end tests only (tests/e2e/identity.e2e.test.ts): replaces the
   * link to `id` with a new RTCPeerConnection under a new DTLS certificate,
   * as an attacker who took over that link would present. The other end sees
   * it through the product's own path: the certificate DTLS verified changed.
   * `keepCertificate`: a new connection under this page's own certificate, as a
   * page back from sleep makes (and a hostile one, in a loop).
   */
  async renewLink(id: string, keepCertificate = false): Promise<void> {
    const remote = this.#remotes.get(id);
    if (!remote) return;
    this.#swapLink(remote, keepCertificate ? this.#certificate : await makeCertificate(), true);
  }

  /** Pairings held, for tests: everyone admitted during the call, and at most MAX_STRANGERS others. */
  get pairingsHeld(): number {
    return this.#pairings.size;
  }

  /** For end-to-end tests only: what the safety code for `id` is made of now. */
  async safetyCodeInputs(id: string): Promise<{ local: CodeSide; remote: CodeSide } | undefined> {
    const remote = this.#remotes.get(id);
    const pairing = this.#pairings.get(id);
    const me = this.#identity?.participant;
    const certs = await remote?.link.certificates();
    if (!remote || !pairing?.theirSalt || !me || !certs) return undefined;
    return {
      local: { participant: me, certificate: certs.local, salt: pairing.salt },
      remote: { participant: remote.participant, certificate: certs.remote, salt: pairing.theirSalt },
    };
  }

  #removeRemote(participant: ParticipantId, update = true): void {
    const remote = this.#remotes.get(participant);
    if (!remote) return;
    this.#remotes.delete(participant);
    this.#roster.remove(participant);
    // Coming back, they are welcomed and sent our salt again; salts, commitments and trust stay for the call.
    const pairing = this.#pairings.get(participant);
    if (pairing) {
      pairing.welcomed = false;
      pairing.revealed = false;
    }
    this.#droppedLinks.add(participant);
    this.#rebuilds.drop(participant);
    this.#speaking.delete(participant);
    this.chat.removePeer(participant);
    this.gestures.peerLeft(participant);
    this.#notices.peerLeft(participant);
    this.files.removePeer(participant);
    this.quality.removeLink(participant);
    remote.link.close();
    this.#govern();
    if (update) this.#update();
  }

  /**
   * Reads the link's verified certificates and feeds the code they make to
   * the participant's trust. A certificate other than the one committed to
   * in the welcome counts as a change even as the first code seen: someone
   * picked it after seeing our salt.
   */
  #checkCode(remote: Remote): void {
    // DTLS connecting fires both dtlsConnected and the link's connected: one reading serves both.
    if (remote.codeCheckQueued) return;
    remote.codeCheckQueued = true;
    remote.codeCheck = remote.codeCheck
      .then(async () => {
        remote.codeCheckQueued = false;
        const identity = this.#identity;
        const pairing = this.#pairings.get(remote.participant);
        if (!identity || !pairing?.theirCommit || !pairing.theirSalt) return;
        const certs = await remote.link.certificates();
        if (!certs || this.#remotes.get(remote.participant) !== remote) return;
        const mine: CodeSide = { participant: identity.participant, certificate: certs.local, salt: pairing.salt };
        const theirs: CodeSide = { participant: remote.participant, certificate: certs.remote, salt: pairing.theirSalt };
        const committed = certs.local === this.#certificateDigest && commitment(theirs) === pairing.theirCommit;
        this.#trustEvent(remote.participant, { type: 'code', code: safetyCode(mine, theirs), committed });
      })
      .catch((err: unknown) => console.warn(`zing: reading the certificates of the link to ${remote.participant} failed`, err));
  }

  #checkCodes(): void {
    for (const remote of this.#remotes.values()) if (remote.link.state === 'connected') this.#checkCode(remote);
  }

  #trustEvent(id: string, event: TrustEvent): void {
    const before = this.#trust.get(id) ?? PENDING;
    const after = nextTrust(before, event);
    if (after === before) return;
    this.#trust.set(id, after);
    const remote = this.#remotes.get(id);
    if (remote && isBlocked(after) !== isBlocked(before)) this.#block(remote, isBlocked(after));
    this.#update();
  }

  // No media either way, no chat and no files while blocked; all of it back once accepted. Their
  // hand and whether they record are still followed (chat.block), so both are current once accepted:
  // the media they would record starts again at that moment, and they do not say it again.
  #block(remote: Remote, blocked: boolean): void {
    void remote.link.setBlocked(blocked);
    this.chat.block(remote.participant, blocked);
    if (blocked) {
      this.files.removePeer(remote.participant);
      this.quality.dropChannel(remote.participant);
    } else if (remote.chatChannel) {
      this.gestures.peerJoined(remote.participant); // what was sent while blocked never reached them
      this.quality.addChannel(remote.participant, remote.chatChannel);
      this.#notices.peerJoined(remote.participant);
    }
  }

  #refused(what: string): void {
    console.warn(`zing: refused ${what}`);
    this.#rejected += 1;
    if (this.#rejected >= TAMPER_WARNING_AFTER && this.#alert?.code !== 'ROOM_FULL')
      this.#setAlert(new ZingError('TAMPERING', String(this.#rejected)));
  }

  // A participant who vanished while the relay was away (their tab closed)
  // cannot announce a leave: the roster drops them once they missed the rejoin
  // and their link is down too. A hello that got no answer is sent again.
  #tick(): void {
    const now = performance.now();
    for (const [participant, early] of this.#early) if (now - early.openedAt >= EARLY_LINK_MS) this.#closeEarly(participant);
    const due = this.#roster.tick(now, (participant) => this.#remotes.get(participant)?.link.state === 'connected');
    for (const participant of due.drop) this.#removeRemote(participant);
    for (const peer of due.greet) this.#sendHello(peer);
    this.#rebuildHeld(now);
  }

  // Sizes every link again: the camera or the screen changed (quality.ts also does on its own as links and views come and go).
  #govern(): void {
    this.quality.replan();
  }

  async #pollAudio(): Promise<void> {
    const now = performance.now();
    const levels: Record<string, number> = {};
    // Each read is a synchronous hop to the WebRTC thread (in a 4-person call at 240 lines, a CDP profile
    // put the call page's main thread there about 50 ms a second), so only where it can show: not for a
    // muted microphone, not on a link that is not up (no sound yet, and the read waits while it sets up),
    // and not for someone whose tile nobody sees (a background tab, a covered or scrolled-away tile).
    for (const [id, remote] of this.#remotes) {
      const heard = !remote.presence.micMuted && remote.link.state === 'connected' && this.quality.showsCamera(id);
      levels[id] = heard ? remote.link.remoteAudioLevel() : 0;
    }
    const first = this.#remotes.values().next().value;
    levels[SELF_ID] = first && !this.#presence.micMuted ? await first.link.localAudioLevel().catch(() => 0) : 0;
    const speaking: Record<string, boolean> = {};
    // Who speaks is judged on the levels as read; only what the page is told is stepped.
    for (const [id, level] of Object.entries(levels)) {
      const next = nextSpeaking(this.#speaking.get(id) ?? NOT_SPEAKING, level, now);
      this.#speaking.set(id, next);
      speaking[id] = next.speaking;
      levels[id] = quantizeLevel(level);
    }
    // Speaking a while with the hand up offers to lower it: the offer counts time, so it hears every poll.
    this.gestures.selfSpeaking(speaking[SELF_ID] ?? false);
    // A page repaints each tile's meter on every reading it gets: a quiet room sends none.
    const activity = { levels, speaking };
    if (this.#activity && sameActivity(this.#activity, activity)) return;
    this.#activity = activity;
    this.emit('audioActivity', activity);
  }

  // Sends the microphone as it should go now (suppressed or raw, muted or not)
  // on every link; a link only hears of it when the track changes.
  #syncAudio(): void {
    if (this.#phase === 'ended' || this.#phase === 'failed') return;
    const track = this.#noise.output(this.#media.audio);
    if (track === this.#sentAudio) return;
    this.#sentAudio = track;
    for (const link of this.#links()) void link.setTrack('audio', track);
  }

  // The camera as it should go now (blurred, raw, or nothing while the blur
  // loads) on every link; a link only hears of it when the track changes.
  #syncVideo(): void {
    if (this.#phase === 'ended' || this.#phase === 'failed') return;
    // Camera off is no picture, even while the camera itself is still closing; the blur rests meanwhile.
    const track = this.#blur.output(this.#presence.cameraOff ? null : this.#media.video);
    if (track === this.#sentVideo) return;
    this.#sentVideo = track;
    for (const link of this.#links()) void link.setTrack('video', track);
  }

  /** The own tile's picture: the blurred one while it is sent, else the camera's preview. */
  #selfView(): MediaStream | null {
    const sent = this.#sentVideo;
    // (Outside a browser, as in unit tests, there is no MediaStream and nothing to show.)
    if (sent && sent !== this.#media.video && typeof MediaStream === 'function') {
      if (this.#blurView?.getVideoTracks()[0] !== sent) this.#blurView = new MediaStream([sent]);
      return this.#blurView;
    }
    return this.#media.preview && this.#media.preview.getTracks().length > 0 ? this.#media.preview : null;
  }

  /** A presence change, to everyone. */
  #sendPresence(): void {
    this.#sealed?.send(undefined, { type: 'presence', ...this.#presence });
  }

  /** A hello to everyone, or to one relay address we have not heard from. */
  #sendHello(to?: PeerId): void {
    this.#sealed?.send(to === undefined ? undefined : { peer: to }, { type: 'hello', ...this.#presence });
  }

  #setAlert(alert: ZingError): void {
    this.#alert = alert;
    this.#update();
  }

  #fail(error: ZingError): void {
    this.#alert = error;
    this.#phase = 'failed';
    this.#teardown();
    this.#update();
  }

  /** The first link is up: the noise suppressor may load once its first frames are through. */
  #releaseSuppressorSoon(): void {
    if (this.#suppressorSoon) return;
    this.#suppressorSoon = true;
    this.#suppressorTimers.push(setTimeout(() => this.#noise.release(), SUPPRESSOR_AFTER_LINK_MS));
  }

  #teardown(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    for (const timer of this.#suppressorTimers.splice(0)) clearTimeout(timer);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#signaling.close();
    for (const id of [...this.#remotes.keys()]) this.#removeRemote(id, false);
    for (const id of [...this.#early.keys()]) this.#closeEarly(id);
    this.chat.close();
    this.gestures.close();
    this.files.close();
    this.#noise.close();
    this.#blur.close();
    this.quality.close();
    this.#media.stop();
  }

  #derivePhase(): CallPhase {
    if (this.#phase === 'ended' || this.#phase === 'failed') return this.#phase;
    switch (this.#signaling.state) {
      case 'open':
        return this.#remotes.size === 0 ? 'waiting' : 'inCall';
      case 'reconnecting':
        return 'reconnecting';
      default:
        return 'connecting';
    }
  }

  #snapshot(): CallState {
    const views: ParticipantView[] = [];
    const codeAlerts: CodeAlert[] = [];
    const camera = (id: string, self: boolean, presence: Presence, stream: MediaStream | null, link: LinkState, trust: CodeTrust) => {
      views.push({
        recording: self ? this.#notices.self : this.#notices.isRecording(id),
        id,
        self,
        kind: 'camera',
        ...presence,
        stream,
        link,
        safetyCode: shownCode(trust),
        safetyCodeChanged: codeChanged(trust),
        verified: isVerified(trust),
        blocked: isBlocked(trust),
      });
    };
    const screen = (id: string, self: boolean, presence: Presence, stream: MediaStream | null, link: LinkState) => {
      if (!presence.screenSharing || !stream) return;
      views.push({
        id: `${id}:screen`,
        self,
        kind: 'screen',
        name: `${presence.name}'s screen`,
        micMuted: false,
        cameraOff: false,
        screenSharing: false,
        stream,
        link,
        safetyCode: undefined,
        safetyCodeChanged: false,
        verified: false,
        blocked: false,
        recording: false,
      });
    };
    camera(SELF_ID, true, this.#presence, this.#selfView(), 'connected', PENDING);
    screen(SELF_ID, true, this.#presence, this.#media.screenPreview, 'connected');
    for (const [id, r] of this.#remotes) {
      const trust = this.#trust.get(id) ?? PENDING;
      // Nothing of a blocked person's is shown or played.
      const blocked = isBlocked(trust);
      camera(id, false, r.presence, blocked ? null : r.stream, r.link.state, trust);
      if (!blocked) screen(id, false, r.presence, r.screen, r.link.state);
      if (needsAlert(trust)) codeAlerts.push({ id, name: r.presence.name, blocked });
    }
    const inputs = { camera: this.#media.deviceId('camera'), microphone: this.#media.deviceId('microphone') };
    const effects = { noiseSuppression: this.#noise.enabled, blurBackground: this.#blur.enabled, notice: this.#notice };
    return { phase: this.#phase, participants: views, inputs, alert: this.#alert, codeAlerts, effects, moved: this.#moved };
  }

  #update(): void {
    this.#phase = this.#derivePhase();
    this.#state = this.#snapshot();
    this.emit('stateChanged', this.#state);
  }
}
