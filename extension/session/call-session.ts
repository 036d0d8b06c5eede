// One call, in one call tab: the relay socket, one PeerLink per remote
// participant, the local media, chat and files, and a plain state snapshot for
// the UI. No UI code here.
//
// Participants are known by the participant id they carry inside sealed
// messages, not by the relay's peer id: the relay address of a participant
// changes on every reconnect (a restarted relay remembers nothing), while
// their media link and tile go on.
import type { ParticipantId, PeerId } from '../../protocol/ids.ts';
import type { TurnServer } from '../../protocol/relay.ts';
import { linkEncodingsFor } from './bandwidth.ts';
import { Chat } from './chat.ts';
import { CHAT_CHANNEL_LABEL, FILE_CHANNEL_PREFIX } from '../../protocol/data.ts';
import { ZingError } from './errors.ts';
import { FileTransfers } from './file-transfer.ts';
import { linkStats, sampleStats, type LinkStats, type StatsSample } from './link-stats.ts';
import { LocalMedia } from './local-media.ts';
import { newParticipantId } from './participant-id.ts';
import { PeerLink, isPolite, type LinkState, type PeerLinkOptions } from './peer-link.ts';
import type { PeerMessage, Presence } from '../../protocol/peer.ts';
import { deriveRoomKey } from './room-key.ts';
import { Roster } from './roster.ts';
import { safetyCode } from './safety-code.ts';
import { SealedSignaling } from './sealed-signaling.ts';
import { displayName, type Profile, type Settings } from './settings.ts';
import type { ShareLink } from './share-link.ts';
import { SignalingClient, type SignalingOptions } from './signaling-client.ts';
import { NOT_SPEAKING, nextSpeaking, type SpeakingState } from './speaking.ts';
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
}

export interface CallState {
  readonly phase: CallPhase;
  /** Self first, then the others in the order they were met. */
  readonly participants: readonly ParticipantView[];
  /** What to tell the person right now, if anything; fatal where phase is `failed`. */
  readonly alert: ZingError | undefined;
}

export interface AudioActivity {
  /** Level 0..1 per participant id. */
  readonly levels: Readonly<Record<string, number>>;
  readonly speaking: Readonly<Record<string, boolean>>;
}

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
  'audio' | 'video' | 'screen' | 'videoHeight' | 'start' | 'stop' | 'setMicMuted' | 'setCameraOff' | 'startScreen' | 'stopScreen'
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
  | 'setScreenBitrate'
  | 'remoteAudioLevel'
  | 'localAudioLevel'
  | 'fingerprints'
  | 'resync'
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
  /** Makes the local media; a LocalMedia unless given. */
  createMedia?: (options: { maxVideoHeight: number }) => SessionMedia;
  /** Makes the link to one participant; a PeerLink unless given. */
  createLink?: (options: PeerLinkOptions) => SessionLink;
}

/** A participant's link and what we know of them; where they are is the roster's business. */
interface Remote {
  readonly participant: ParticipantId;
  link: SessionLink;
  presence: Presence;
  stream: MediaStream | null;
  screen: MediaStream | null;
  lastStats: StatsSample | undefined;
  safetyCode: string | undefined;
}

const SELF_ID = 'self';

export class CallSession extends TypedEmitter<CallSessionEvents> {
  readonly link: ShareLink;
  /** Who this tab is to the others, for the whole call. */
  readonly participant = newParticipantId();
  /** Text chat with everyone, peer to peer over each link's `chat` data channel. */
  readonly chat = new Chat();
  /** Files to and from everyone, one data channel per transfer and participant. */
  readonly files: FileTransfers;
  readonly #deps: CallSessionDeps;
  readonly #signaling: SessionSignaling;
  #sealed: SealedSignaling | undefined;
  readonly #media: SessionMedia;
  readonly #createLink: (options: PeerLinkOptions) => SessionLink;
  /** Who is at which relay address, whom to greet again, who vanished; in step with #remotes. */
  readonly #roster = new Roster();
  readonly #remotes = new Map<ParticipantId, Remote>();
  readonly #cleanups: (() => void)[] = [];
  readonly #speaking = new Map<string, SpeakingState>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #turn: TurnServer[] = [];
  #rejected = 0;
  #presence: Presence;
  #alert: ZingError | undefined;
  #phase: CallPhase = 'connecting';
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
    this.files = new FileTransfers({
      openChannel: (participant, label) => {
        const remote = this.#remotes.get(participant);
        if (!remote) throw new Error(`no link to ${participant}`);
        return remote.link.openDataChannel(label);
      },
      askAboveBytes: deps.settings.askForFilesAboveBytes,
    });
    this.#state = this.#snapshot();
  }

  get state(): CallState {
    return this.#state;
  }

  /** Opens camera and relay at the same time: neither waits for the other. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#media.start(this.#presence).then((error) => {
      if (this.#phase === 'ended' || this.#phase === 'failed') return this.#media.stop();
      if (error) this.#setAlert(error);
      for (const remote of this.#remotes.values()) this.#sendTracks(remote.link);
      this.#govern();
      this.#update();
    });
    void deriveRoomKey(this.link.secret).then(
      (key) => {
        if (key.room !== this.link.room) {
          this.#fail(ZingError.badLink('Its key does not belong to its room: part of the link was changed. Ask for it again.'));
          return;
        }
        if (this.#phase === 'ended' || this.#phase === 'failed') return;
        this.#sealed = new SealedSignaling(this.#signaling, key, this.participant);
        this.#listen(this.#sealed);
        this.#signaling.connect();
      },
      (err: unknown) => this.#fail(new ZingError('BAD_LINK', 'The key in this link could not be used.', { cause: err })),
    );
    this.#timers.push(
      setInterval(() => void this.#pollAudio(), AUDIO_POLL_MS),
      setInterval(() => this.#tick(), ROSTER_TICK_MS),
    );
  }

  #listen(sealed: SealedSignaling): void {
    const s = this.#signaling;
    this.#cleanups.push(
      s.on('stateChanged', () => this.#update()),
      s.on('joined', ({ peers, iceServers }) => this.#onJoined(peers, iceServers)),
      s.on('iceServers', (servers) => this.#useTurn(servers)),
      s.on('peerJoined', (peer) => {
        this.#roster.peerJoined(peer, performance.now());
        this.#sendPresence(peer);
      }),
      s.on('peerLeft', (peer) => {
        // Only their current address leaving is a leave; an old one is a reconnect.
        const left = this.#roster.peerLeft(peer);
        if (left !== undefined) this.#removeRemote(left);
      }),
      s.on('relayError', ({ code, detail }) => {
        if (code === 'ROOM_FULL') this.#fail(new ZingError('ROOM_FULL', detail));
        else console.warn(`zing: relay said ${code}: ${detail}`);
      }),
      s.on('unreachable', () => {
        if (this.#alert?.code !== 'CAMERA_DENIED') this.#setAlert(new ZingError('RELAY_UNREACHABLE', this.link.relayOrigin));
      }),
      sealed.on('message', ({ from, participant, msg }) => this.#onMessage(from, participant, msg)),
      sealed.on('rejected', ({ from, reason }) => {
        console.warn(`zing: refused a signaling message from ${from} (${reason})`);
        this.#rejected += 1;
        if (this.#rejected >= TAMPER_WARNING_AFTER && this.#alert?.code !== 'ROOM_FULL')
          this.#setAlert(new ZingError('TAMPERING', String(this.#rejected)));
      }),
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
        const sample = sampleStats(report.values() as Iterable<Record<string, unknown>>, at);
        out[id] = linkStats(remote.lastStats, sample);
        remote.lastStats = sample;
      }),
    );
    return out;
  }

  /** The upload budget the governor splits between links, in bits per second. */
  get uploadBudgetBps(): number {
    return this.#deps.settings.uploadBudgetKbps * 1000;
  }

  async setMicMuted(muted: boolean): Promise<void> {
    this.#media.setMicMuted(muted);
    this.#presence = { ...this.#presence, micMuted: muted };
    this.#sendPresence();
    this.#update();
    await this.#deps.saveProfile({ micMuted: muted });
  }

  async setCameraOff(off: boolean): Promise<void> {
    try {
      await this.#media.setCameraOff(off);
    } catch (err) {
      this.#setAlert(err instanceof ZingError ? err : ZingError.fromMediaError(err));
      return;
    }
    if (!off && this.#alert && (this.#alert.code === 'CAMERA_DENIED' || this.#alert.code === 'CAMERA_UNAVAILABLE')) {
      this.#alert = undefined;
    }
    this.#presence = { ...this.#presence, cameraOff: off };
    for (const remote of this.#remotes.values()) void remote.link.setTrack('video', this.#media.video);
    this.#govern();
    this.#sendPresence();
    this.#update();
    await this.#deps.saveProfile({ cameraOff: off });
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
        return;
      }
      if (!track || this.#phase === 'ended' || this.#phase === 'failed') return;
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

  /** The display name of a participant id, `self` included; undefined once they are gone. */
  nameOf(id: string): string | undefined {
    return id === SELF_ID ? this.#presence.name : this.#remotes.get(id)?.presence.name;
  }

  /** Hangs up: the others see this participant leave at once. Safe twice. */
  leave(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
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
    for (const remote of this.#remotes.values()) remote.link.setIceServers([...this.#deps.settings.iceServers, ...servers]);
  }

  #onJoined(peers: PeerId[], iceServers: TurnServer[] | undefined): void {
    // Alone in the room there are none; the ones from before a reconnect stay valid until they expire.
    if (iceServers) this.#useTurn(iceServers);
    // Everyone already known keeps their link; they re-announce from their new addresses.
    this.#roster.joined(peers, performance.now());
    if (this.#alert?.code === 'RELAY_UNREACHABLE') this.#alert = undefined;
    this.#sendPresence();
    this.#update();
  }

  #onMessage(from: PeerId, participant: ParticipantId, msg: PeerMessage): void {
    if (participant === this.participant) return; // our own broadcast echoed by a misbehaving relay
    if (msg.type === 'presence') {
      const presence = { name: msg.name, micMuted: msg.micMuted, cameraOff: msg.cameraOff, screenSharing: msg.screenSharing };
      const arrival = this.#roster.presence(from, participant, performance.now());
      const remote = this.#remotes.get(participant);
      if (!remote) {
        this.#addRemote(participant, presence);
      } else {
        remote.presence = presence;
        // The same person at a new relay address: a reconnect, not a leave and a join.
        if (arrival === 'moved') remote.link.resync();
      }
      this.#update();
      return;
    }
    // Media negotiation only from where that participant is now.
    if (this.#roster.isAt(participant, from)) this.#remotes.get(participant)?.link.receive(msg);
  }

  #addRemote(participant: ParticipantId, presence: Presence): Remote {
    const polite = isPolite(this.participant, participant);
    const link = this.#createLink({
      self: this.participant,
      remote: participant,
      iceServers: [...this.#deps.settings.iceServers, ...this.#turn],
      iceTransportPolicy: this.#deps.settings.relayOnly ? 'relay' : 'all',
      // Exactly one side of each pair offers first: the one that does not yield in a collision.
      initiator: !polite,
      audio: this.#media.audio,
      video: this.#media.video,
    });
    const remote: Remote = {
      participant,
      link,
      presence,
      stream: null,
      screen: null,
      lastStats: undefined,
      safetyCode: undefined,
    };
    link.on('signal', (msg) => {
      // Never undefined while the link is open (both leave the roster together), but undefined would mean everyone.
      const peer = this.#roster.peerOf(participant);
      if (peer !== undefined) this.#sealed?.send(peer, msg);
    });
    link.on('remoteStream', (stream) => {
      remote.stream = stream;
      this.#update();
    });
    link.on('remoteScreen', (stream) => {
      remote.screen = stream;
      this.#update();
    });
    link.on('stateChanged', (state) => {
      if (state === 'connected') void this.#computeSafetyCode(remote);
      this.#update();
    });
    link.on('dataChannel', (channel) => {
      if (channel.label === CHAT_CHANNEL_LABEL) this.chat.addPeer(participant, channel);
      else if (channel.label.startsWith(FILE_CHANNEL_PREFIX)) this.files.acceptChannel(participant, channel);
      else channel.close();
    });
    if (link.chatChannel) this.chat.addPeer(participant, link.chatChannel);
    if (this.#media.screen) void link.setScreen(this.#media.screen);
    this.#remotes.set(participant, remote);
    this.#govern();
    return remote;
  }

  #removeRemote(participant: ParticipantId, update = true): void {
    const remote = this.#remotes.get(participant);
    if (!remote) return;
    this.#remotes.delete(participant);
    this.#roster.remove(participant);
    this.#speaking.delete(participant);
    this.chat.removePeer(participant);
    this.files.removePeer(participant);
    remote.link.close();
    this.#govern();
    if (update) this.#update();
  }

  async #computeSafetyCode(remote: Remote): Promise<void> {
    const fp = remote.link.fingerprints();
    if (!fp) return;
    const code = await safetyCode(fp.local, fp.remote);
    if (code !== remote.safetyCode) {
      remote.safetyCode = code;
      this.#update();
    }
  }

  // A participant who vanished while the relay was away (their tab closed)
  // cannot announce a leave: the roster drops them once they missed the rejoin
  // and their link is down too. A hello that got no answer is sent again.
  #tick(): void {
    const due = this.#roster.tick(performance.now(), (participant) => this.#remotes.get(participant)?.link.state === 'connected');
    for (const participant of due.drop) this.#removeRemote(participant);
    for (const peer of due.greet) this.#sendPresence(peer);
  }

  // Splits the upload budget between the links: as the room grows each link
  // gets less, and as people leave it grows back.
  #govern(): void {
    const { camera, screen } = linkEncodingsFor(
      this.#remotes.size,
      this.uploadBudgetBps,
      this.#media.videoHeight || this.#deps.settings.maxVideoHeight,
      this.#media.screen !== null,
    );
    for (const remote of this.#remotes.values()) {
      void remote.link.setVideoEncoding(camera);
      void remote.link.setScreenBitrate(screen?.maxBitrate);
    }
  }

  async #pollAudio(): Promise<void> {
    const now = performance.now();
    const levels: Record<string, number> = {};
    for (const [id, remote] of this.#remotes) levels[id] = remote.presence.micMuted ? 0 : remote.link.remoteAudioLevel();
    const first = this.#remotes.values().next().value;
    levels[SELF_ID] = first && !this.#presence.micMuted ? await first.link.localAudioLevel().catch(() => 0) : 0;
    const speaking: Record<string, boolean> = {};
    for (const [id, level] of Object.entries(levels)) {
      const next = nextSpeaking(this.#speaking.get(id) ?? NOT_SPEAKING, level, now);
      this.#speaking.set(id, next);
      speaking[id] = next.speaking;
    }
    this.emit('audioActivity', { levels, speaking });
  }

  #sendTracks(link: SessionLink): void {
    void link.setTrack('audio', this.#media.audio);
    void link.setTrack('video', this.#media.video);
  }

  #sendPresence(to?: PeerId): void {
    this.#sealed?.send(to, { type: 'presence', ...this.#presence });
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

  #teardown(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#signaling.close();
    for (const id of [...this.#remotes.keys()]) this.#removeRemote(id, false);
    this.chat.close();
    this.files.close();
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
    const add = (
      id: string,
      self: boolean,
      presence: Presence,
      stream: MediaStream | null,
      screen: MediaStream | null,
      link: LinkState,
      code: string | undefined,
    ) => {
      views.push({ id, self, kind: 'camera', ...presence, stream, link, safetyCode: code });
      if (presence.screenSharing && screen) {
        views.push({
          id: `${id}:screen`,
          self,
          kind: 'screen',
          name: `${presence.name}'s screen`,
          micMuted: false,
          cameraOff: false,
          screenSharing: false,
          stream: screen,
          link,
          safetyCode: undefined,
        });
      }
    };
    const preview = this.#media.preview && this.#media.preview.getTracks().length > 0 ? this.#media.preview : null;
    add(SELF_ID, true, this.#presence, preview, this.#media.screenPreview, 'connected', undefined);
    for (const [id, r] of this.#remotes) add(id, false, r.presence, r.stream, r.screen, r.link.state, r.safetyCode);
    return { phase: this.#phase, participants: views, alert: this.#alert };
  }

  #update(): void {
    this.#phase = this.#derivePhase();
    this.#state = this.#snapshot();
    this.emit('stateChanged', this.#state);
  }
}
