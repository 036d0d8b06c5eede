// One call, in one call tab: the relay socket, one PeerLink per remote peer,
// the local media, and a plain state snapshot for the UI. No UI code here.
import type { PeerId } from '../../relay/protocol.ts';
import { linkEncodingsFor } from './bandwidth.ts';
import { Chat } from './chat.ts';
import { CHAT_CHANNEL_LABEL, FILE_CHANNEL_PREFIX } from './data-messages.ts';
import { ZingError } from './errors.ts';
import { FileTransfers } from './file-transfer.ts';
import { linkStats, sampleStats, type LinkStats, type StatsSample } from './link-stats.ts';
import { LocalMedia } from './media.ts';
import { PeerLink, type LinkState } from './peer-connection.ts';
import { NOT_SPEAKING, nextSpeaking, type SpeakingState } from './speaking.ts';
import { encodePeerMessage, parsePeerMessage, type PeerMessage, type PeerPresence } from './peer-messages.ts';
import type { Profile, Settings } from './settings.ts';
import type { ShareLink } from './share-link.ts';
import { SignalingClient, type SignalingOptions } from './signaling-client.ts';
import { TypedEmitter } from './typed-emitter.ts';

export type CallPhase = 'connecting' | 'waiting' | 'inCall' | 'reconnecting' | 'ended' | 'failed';

export interface ParticipantView {
  /** The relay's peer id, or `self`; a screen share is `<that id>:screen`. */
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
}

export interface CallState {
  readonly phase: CallPhase;
  /** Self first, then the others in the order they joined. */
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

export interface CallSessionDeps {
  profile: Profile;
  settings: Settings;
  /** Persists mute and camera preferences for the next call. */
  saveProfile: (patch: Partial<Profile>) => Promise<unknown>;
  /** Renames made elsewhere (the popup) reach the call through this. */
  onProfileChanged: (listener: (profile: Profile) => void) => () => void;
  signaling?: Partial<SignalingOptions>;
}

interface Remote {
  link: PeerLink;
  presence: PeerPresence | undefined;
  stream: MediaStream | null;
  screen: MediaStream | null;
  lastStats: StatsSample | undefined;
}

const SELF_ID = 'self';

export class CallSession extends TypedEmitter<CallSessionEvents> {
  readonly link: ShareLink;
  /** Text chat with everyone, peer to peer over each link's `chat` data channel. */
  readonly chat = new Chat();
  /** Files to and from everyone, one data channel per transfer and peer. */
  readonly files: FileTransfers;
  readonly #deps: CallSessionDeps;
  readonly #signaling: SignalingClient;
  readonly #media: LocalMedia;
  readonly #speaking = new Map<string, SpeakingState>();
  #audioTimer: ReturnType<typeof setInterval> | undefined;
  readonly #remotes = new Map<PeerId, Remote>();
  readonly #cleanups: (() => void)[] = [];
  #self: PeerId | undefined;
  #presence: PeerPresence;
  #alert: ZingError | undefined;
  #phase: CallPhase = 'connecting';
  #state: CallState;
  #started = false;

  constructor(link: ShareLink, deps: CallSessionDeps) {
    super();
    this.link = link;
    this.#deps = deps;
    this.#presence = {
      name: deps.profile.name,
      micMuted: deps.profile.micMuted,
      cameraOff: deps.profile.cameraOff,
      screenSharing: false,
    };
    this.#signaling = new SignalingClient(link, deps.signaling);
    this.#media = new LocalMedia({ maxVideoHeight: deps.settings.maxVideoHeight });
    this.files = new FileTransfers({
      openChannel: (peer, label) => {
        const remote = this.#remotes.get(peer);
        if (!remote) throw new Error(`no link to ${peer}`);
        return remote.link.openDataChannel(label);
      },
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
    const s = this.#signaling;
    this.#cleanups.push(
      s.on('stateChanged', () => this.#update()),
      s.on('joined', ({ self, peers }) => this.#onJoined(self, peers)),
      s.on('peerJoined', (peer) => {
        this.#addRemote(peer, false);
        this.#sendPresence(peer);
        this.#update();
      }),
      s.on('peerLeft', (peer) => this.#removeRemote(peer)),
      s.on('signal', ({ from, data }) => this.#onSignal(from, data)),
      s.on('relayError', ({ code, detail }) => {
        if (code === 'ROOM_FULL') this.#fail(new ZingError('ROOM_FULL', detail));
        else console.warn(`zing: relay said ${code}: ${detail}`);
      }),
      s.on('unreachable', () => {
        if (this.#alert?.code !== 'CAMERA_DENIED') this.#setAlert(new ZingError('RELAY_UNREACHABLE', this.link.relayOrigin));
      }),
      this.#deps.onProfileChanged((profile) => {
        if (profile.name !== '' && profile.name !== this.#presence.name) {
          this.#presence = { ...this.#presence, name: profile.name };
          this.#sendPresence();
          this.#update();
        }
      }),
    );
    s.connect();
    void this.#media.start(this.#presence).then((error) => {
      if (this.#phase === 'ended' || this.#phase === 'failed') return this.#media.stop();
      if (error) this.#setAlert(error);
      for (const remote of this.#remotes.values()) this.#sendTracks(remote.link);
      this.#govern();
      this.#update();
    });
    this.#audioTimer = setInterval(() => void this.#pollAudio(), AUDIO_POLL_MS);
  }

  /** Figures for each remote participant's link, measured since the previous call. */
  async linkStats(): Promise<Record<string, LinkStats>> {
    const out: Record<string, LinkStats> = {};
    await Promise.all(
      [...this.#remotes.entries()].map(async ([id, remote]) => {
        // RTCStatsReport is typed as a map of `any`; sampleStats narrows each field.
        const sample = sampleStats((await remote.link.pc.getStats()).values() as Iterable<Record<string, unknown>>, performance.now());
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
    const peers = [...this.#remotes.keys()];
    return peers.length === 0 ? undefined : this.files.send(file, peers, file.name);
  }

  /** The display name of a participant id, `self` included; undefined once they are gone. */
  nameOf(id: string): string | undefined {
    return id === SELF_ID ? this.#presence.name : this.#remotes.get(id)?.presence?.name;
  }

  /** Hangs up: the others see this participant leave at once. Safe twice. */
  leave(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#teardown();
    this.#update();
  }

  #onJoined(self: PeerId, peers: PeerId[]): void {
    // A rejoin after a relay outage gets new ids: links to the old ids are stale.
    for (const id of [...this.#remotes.keys()]) this.#removeRemote(id, false);
    this.#self = self;
    if (this.#alert?.code === 'RELAY_UNREACHABLE') this.#alert = undefined;
    for (const peer of peers) this.#addRemote(peer, true);
    this.#sendPresence();
    this.#update();
  }

  #addRemote(peer: PeerId, initiator: boolean): Remote {
    const existing = this.#remotes.get(peer);
    if (existing) return existing;
    const link = new PeerLink({
      self: this.#self ?? '',
      remote: peer,
      iceServers: this.#deps.settings.iceServers,
      initiator,
      audio: this.#media.audio,
      video: this.#media.video,
    });
    const remote: Remote = { link, presence: undefined, stream: null, screen: null, lastStats: undefined };
    link.on('signal', (msg) => this.#send(peer, msg));
    link.on('remoteStream', (stream) => {
      remote.stream = stream;
      this.#update();
    });
    link.on('remoteScreen', (stream) => {
      remote.screen = stream;
      this.#update();
    });
    link.on('stateChanged', () => this.#update());
    link.on('dataChannel', (channel) => {
      if (channel.label === CHAT_CHANNEL_LABEL) this.chat.addPeer(peer, channel);
      else if (channel.label.startsWith(FILE_CHANNEL_PREFIX)) this.files.acceptChannel(peer, channel);
      else channel.close();
    });
    if (link.chatChannel) this.chat.addPeer(peer, link.chatChannel);
    if (this.#media.screen) void link.setScreen(this.#media.screen);
    this.#remotes.set(peer, remote);
    this.#govern();
    return remote;
  }

  #removeRemote(peer: PeerId, update = true): void {
    const remote = this.#remotes.get(peer);
    if (!remote) return;
    this.#remotes.delete(peer);
    this.#speaking.delete(peer);
    this.chat.removePeer(peer);
    this.files.removePeer(peer);
    remote.link.close();
    this.#govern();
    if (update) this.#update();
  }

  #onSignal(from: PeerId, data: string): void {
    const msg = parsePeerMessage(data);
    if (!msg) return console.warn(`zing: ignored a malformed message from ${from}`);
    // The relay announces every peer before it can signal, but a late
    // announcement must not drop a signal on the floor.
    const remote = this.#remotes.get(from) ?? this.#addRemote(from, false);
    if (msg.t === 'presence') {
      remote.presence = { name: msg.name, micMuted: msg.micMuted, cameraOff: msg.cameraOff, screenSharing: msg.screenSharing };
      this.#update();
    } else {
      remote.link.receive(msg);
    }
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
    for (const [id, remote] of this.#remotes) levels[id] = remote.presence?.micMuted ? 0 : remote.link.remoteAudioLevel();
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

  #sendTracks(link: PeerLink): void {
    void link.setTrack('audio', this.#media.audio);
    void link.setTrack('video', this.#media.video);
  }

  #sendPresence(to?: PeerId): void {
    this.#send(to, { t: 'presence', ...this.#presence });
  }

  #send(to: PeerId | undefined, msg: PeerMessage): void {
    this.#signaling.send(to, encodePeerMessage(msg));
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
    clearInterval(this.#audioTimer);
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
    const add = (id: string, self: boolean, presence: PeerPresence, stream: MediaStream | null, screen: MediaStream | null, link: LinkState) => {
      views.push({ id, self, kind: 'camera', ...presence, stream, link });
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
        });
      }
    };
    const preview = this.#media.preview.getTracks().length > 0 ? this.#media.preview : null;
    add(SELF_ID, true, this.#presence, preview, this.#media.screenPreview, 'connected');
    for (const [id, r] of this.#remotes) {
      const presence = r.presence ?? { name: 'Guest', micMuted: false, cameraOff: false, screenSharing: false };
      add(id, false, presence, r.stream, r.screen, r.link.state);
    }
    return { phase: this.#phase, participants: views, alert: this.#alert };
  }

  #update(): void {
    this.#phase = this.#derivePhase();
    this.#state = this.#snapshot();
    this.emit('stateChanged', this.#state);
  }
}
