// CallSession without a browser: fakes for the relay socket, local media and
// media links (call-fakes.ts), real sealing between it and the people the test
// plays, or between two sessions.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PeerId } from '../../../../protocol/ids.ts';
import type { PeerMessage } from '../../../../protocol/peer.ts';
import {
  AUDIO_POLL_MS,
  type AudioActivity,
  type CallPhase,
  type CallSession,
  EARLY_LINK_MS,
  LINK_REBUILDS,
  prepareCallKeys,
  REPLY_LIMITS,
  ROSTER_TICK_MS,
  SAFETY_CHECK_MS,
  TAMPER_WARNING_AFTER,
} from '../../../../extension/session/call-session.ts';
import { ZingError } from '../../../../extension/session/errors.ts';
import { CPU_FRAMERATE_CAP, FULL_FRAMERATE } from '../../../../extension/session/bandwidth.ts';
import { isPolite } from '../../../../extension/session/peer-link.ts';
import { MAX_STRANGERS } from '../../../../extension/session/sealed-signaling.ts';
import { HELLO_ATTEMPTS, HELLO_RETRY_MS, REJOIN_GRACE_MS } from '../../../../extension/session/roster.ts';
import {
  type FakeCall,
  FakeBlurEngine,
  FakeMedia,
  fakeCertificate,
  idOf,
  joined,
  newCall as makeCall,
  newRoom,
  Person,
  randomDigest,
  type Room,
  settled,
  until,
} from './call-fakes.ts';
import { parseDataMessage } from '../../../../protocol/data.ts';

const started: FakeCall[] = [];
const people: Person[] = [];

/** A call on fakes that afterEach hangs up, so no interval outlives its test. */
function newCall(...args: Parameters<typeof makeCall>): FakeCall {
  const call = makeCall(...args);
  started.push(call);
  return call;
}

async function person(room: Room, name: string): Promise<Person> {
  const p = await Person.create(room, name);
  people.push(p);
  return p;
}

afterEach(() => {
  for (const call of started.splice(0)) call.session.leave();
  for (const p of people.splice(0)) p.sealed.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The session's warnings about refused messages, kept off the test output and counted. */
const refusals = () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return () => warn.mock.calls.filter(([text]) => String(text).startsWith('zing: refused a signaling message')).length;
};

/** Every phase the session went through from now on, without repeats. */
function phases(call: FakeCall): CallPhase[] {
  const seen: CallPhase[] = [call.session.state.phase];
  call.session.on('stateChanged', (s) => {
    if (seen.at(-1) !== s.phase) seen.push(s.phase);
  });
  return seen;
}

const others = (call: FakeCall) => call.session.state.participants.filter((p) => !p.self);
const names = (call: FakeCall) => call.session.state.participants.map((p) => p.name);

/**
 * A session in a room with Bob, met through the sealed handshake both ways.
 * `aliceOffers`: a Bob on that side of Alice's link (ids are random, so which side offers is otherwise a coin toss).
 */
async function aliceWithBob(aliceOffers?: boolean) {
  const room = await newRoom();
  const alice = await joined(newCall(room));
  let bob = await person(room, 'Bob');
  while (aliceOffers !== undefined && isPolite(idOf(alice), bob.participant) === aliceOffers) bob = await person(room, 'Bob');
  bob.join();
  await until(() => expect(alice.session.state.phase).toBe('inCall'));
  await until(() => expect(bob.presencesFrom(idOf(alice)).length).toBeGreaterThan(0));
  return { room, alice, bob };
}

/** Until `person` has heard a hello from `call` (and so answered it). */
const heardHello = (person: Person, call: FakeCall) =>
  until(() => expect(person.heard.some((m) => m.participant === idOf(call) && m.msg.type === 'hello')).toBe(true));

// On a loaded machine a presence can take seconds to open: the real 1 s tick may
// then greet again, so these tests count presences as "at least one".
/** An open `chat` data channel from the remote side: records what is sent, delivers what the test says. */
function chatChannel() {
  const events = new EventTarget();
  const sent: string[] = [];
  let closed = false;
  const channel = {
    label: 'chat',
    readyState: 'open',
    bufferedAmount: 0,
    bufferedAmountLowThreshold: 0,
    binaryType: 'arraybuffer',
    send: (data: string) => sent.push(data),
    close: () => {
      closed = true;
    },
    addEventListener: (type: string, l: EventListener) => events.addEventListener(type, l),
    removeEventListener: (type: string, l: EventListener) => events.removeEventListener(type, l),
  };
  return {
    // The session only uses the part of RTCDataChannel in session/channel.ts, which this has.
    rtc: channel as unknown as RTCDataChannel,
    sent: () => sent.map(parseDataMessage),
    closed: () => closed,
    deliver: (frame: object) => events.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(frame) })),
  };
}

describe('CallSession', { timeout: 20_000 }, () => {
  describe('joining', () => {
    it('is connecting before it starts, waits alone once the relay takes it in, and is in the call once a welcome arrives', async () => {
      const room = await newRoom();
      const alice = newCall(room);
      expect(alice.session.state.phase).toBe('connecting');
      const seen = phases(alice);
      await joined(alice);
      expect(alice.session.state.phase).toBe('waiting');
      expect(names(alice)).toEqual(['Alice']);

      const bob = (await person(room, 'Bob')).join();
      await until(() => expect(alice.session.state.phase).toBe('inCall'));
      expect(seen).toEqual(['connecting', 'waiting', 'inCall']);
      expect(alice.session.state.participants.map((p) => [p.id, p.self, p.name, p.kind])).toEqual([
        ['self', true, 'Alice', 'camera'],
        [bob.participant, false, 'Bob', 'camera'],
      ]);
      expect(alice.links).toHaveLength(1);
      expect(alice.links[0]?.options.remote).toBe(bob.participant);
      expect(alice.links[0]?.options.self).toBe(idOf(alice));
      // Alice greeted the newcomer by name, sealed.
      await until(() => expect(bob.presencesFrom(idOf(alice)).length).toBeGreaterThan(0));
      expect(new Set(bob.presencesFrom(idOf(alice)).map((p) => p.name))).toEqual(new Set(['Alice']));
    });

    it('hands TURN credentials that come once the room fills to the links it has, and makes later links with them', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room));
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links).toHaveLength(1));
      const own = alice.links[0]?.options.iceServers ?? [];
      const turn = [{ urls: ['turn:turn.example:3478'], username: '1790000000:alice', credential: 'c2VjcmV0' }];
      alice.signaling.fire('iceServers', turn);
      expect(alice.links[0]?.iceServersSet).toEqual([[...own, ...turn]]);
      (await person(room, 'Carol')).join();
      await until(() => expect(alice.links).toHaveLength(2));
      expect(alice.links[1]?.options.iceServers).toEqual([...own, ...turn]);
    });

    it('meets everyone already in the room from its broadcast on joining', async () => {
      const room = await newRoom();
      const bob = (await person(room, 'Bob')).join();
      const carol = (await person(room, 'Carol')).join();
      const alice = await joined(newCall(room));
      // In the order their welcomes came back, which signing and sealing on a loaded machine may swap.
      await until(() => expect(names(alice).toSorted()).toEqual(['Alice', 'Bob', 'Carol']));
      expect(alice.session.state.phase).toBe('inCall');
      // One broadcast reaches both.
      await until(() => expect(carol.presencesFrom(idOf(alice)).length).toBeGreaterThan(0));
      expect(bob.presencesFrom(idOf(alice)).length).toBeGreaterThan(0);
    });

    it('opens one link each way when two sessions meet, the impolite side offering, and carries its signals to the other link', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room, { name: 'Alice' }));
      const bob = await joined(newCall(room, { name: 'Bob' }));
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob']));
      await until(() => expect(names(bob)).toEqual(['Bob', 'Alice']));
      const [a] = alice.links;
      const [b] = bob.links;
      if (!a || !b) throw new Error('each side should have one link');
      expect(alice.links).toHaveLength(1);
      expect(bob.links).toHaveLength(1);
      expect(a.options.initiator).toBe(!isPolite(idOf(alice), idOf(bob)));
      expect(b.options.initiator).toBe(!a.options.initiator);

      const offer: PeerMessage = { type: 'description', description: { type: 'offer', sdp: 'v=0 fake' } };
      (a.options.initiator ? a : b).signal(offer);
      await until(() => expect((a.options.initiator ? b : a).received).toEqual([offer]));
    });

    it('shows a device error from the start as an alert and joins all the same', async () => {
      const room = await newRoom();
      const media = new FakeMedia();
      media.startError = new ZingError('CAMERA_DENIED', 'denied');
      const alice = await joined(newCall(room, {}, media));
      await until(() => expect(alice.session.state.alert?.code).toBe('CAMERA_DENIED'));
      expect(alice.session.state.phase).toBe('waiting');
    });

    it('joins with the keys the pre-join page made ahead, and makes none of its own', async () => {
      const room = await newRoom();
      const makeCertificate = vi.fn(async () => fakeCertificate(randomDigest()));
      const keys = prepareCallKeys(room.link, makeCertificate);
      const [identity] = await keys.own;
      const alice = await joined(newCall(room, {}, new FakeMedia(), { keys }));
      expect(alice.session.participant).toBe(identity.participant);
      expect(makeCertificate).toHaveBeenCalledTimes(1); // only for the keys made ahead
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.session.state.phase).toBe('inCall'));
    });

    it('opens the relay socket within start() itself when the keys were made ahead, before the page renders the call', async () => {
      const room = await newRoom();
      const keys = prepareCallKeys(room.link, async () => fakeCertificate(randomDigest()));
      await until(() => expect(keys.made?.()).toBeDefined());
      const alice = newCall(room, {}, new FakeMedia(), { keys });
      alice.session.start();
      expect(alice.signaling.state).toBe('open');
      expect(alice.session.participant).toBe(keys.made?.()?.identity.participant);
    });

    it('refuses keys made ahead for another link, made or still in the making: it never connects, and says the link was changed', async () => {
      const room = await newRoom();
      const other = await newRoom();
      const keys = prepareCallKeys(other.link, async () => fakeCertificate(randomDigest()));
      await until(() => expect(keys.made?.()).toBeDefined());
      const alice = newCall(room, {}, new FakeMedia(), { keys });
      alice.session.start();
      expect(alice.session.state.phase).toBe('failed');
      expect(alice.session.state.alert?.code).toBe('BAD_LINK');
      expect(alice.signaling.state).not.toBe('open');
    });

    it('refuses keys made ahead for another link: it never connects, and says the link was changed', async () => {
      const room = await newRoom();
      const other = await newRoom();
      const alice = newCall(room, {}, new FakeMedia(), { keys: prepareCallKeys(other.link, async () => fakeCertificate(randomDigest())) });
      alice.session.start();
      await until(() => expect(alice.session.state.phase).toBe('failed'));
      expect(alice.session.state.alert?.code).toBe('BAD_LINK');
      expect(alice.signaling.state).not.toBe('open');
    });

    it('ignores its own presence echoed back by the relay', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room));
      const bob = (await person(room, 'Bob')).join();
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob']));
      const own = room.relay.frames.find((f) => f.from === alice.signaling.self && f.to === undefined);
      if (!own) throw new Error('Alice broadcast nothing');
      // The relay hands Alice her own broadcast back under her own address: it opens, and is still not someone new.
      alice.signaling.fire('signal', { from: own.from, data: own.data });
      // Messages are opened in order: once Bob's next one shows, the echo has been dealt with.
      bob.say(undefined, { name: 'Bobby' });
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bobby']));
      expect(alice.links).toHaveLength(1);
      expect(alice.session.state.alert).toBeUndefined();
    });
  });

  describe('leaving', () => {
    it('ends the call, closes the relay socket and every link and stops the media; a second leave does nothing', async () => {
      const { room, alice, bob } = await aliceWithBob();
      (await person(room, 'Carol')).join();
      await until(() => expect(alice.links).toHaveLength(2));
      await until(() => expect(alice.media.micMuted).toBe(false)); // media.start() has run
      const seen = phases(alice);

      alice.session.leave();
      expect(alice.session.state.phase).toBe('ended');
      expect(alice.session.state.moved).toBe(false);
      expect(seen).toEqual(['inCall', 'ended']);
      let more = 0;
      alice.session.on('stateChanged', () => (more += 1));
      alice.session.leave();
      expect(more).toBe(0);
      expect(alice.signaling.closes).toBe(1);
      expect(alice.links.map((l) => l.closes)).toEqual([1, 1]);
      expect(alice.media.stops).toBe(1);
      expect(others(alice)).toEqual([]);
      // The others saw her address leave at once.
      expect([...room.relay.members.keys()]).not.toContain(alice.signaling.self);
      expect(room.relay.members.has(bob.peer)).toBe(true);
    });

    it('says so when the call moved to another tab: the others see a leave all the same', async () => {
      const { room, alice, bob } = await aliceWithBob();
      alice.session.leave('moved');
      expect(alice.session.state).toMatchObject({ phase: 'ended', moved: true });
      expect(alice.signaling.closes).toBe(1);
      expect([...room.relay.members.keys()]).not.toContain(alice.signaling.self);
      expect(room.relay.members.has(bob.peer)).toBe(true);
    });

    it('stops every timer it started', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const { alice } = await aliceWithBob();
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      alice.session.leave();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('fails with ROOM_FULL and hangs up when the relay says the room is full', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room));
      alice.signaling.fire('relayError', { code: 'ROOM_FULL', detail: 'eight is the limit' });
      expect(alice.session.state.phase).toBe('failed');
      expect(alice.session.state.alert?.code).toBe('ROOM_FULL');
      expect(alice.signaling.closes).toBe(1);
    });
  });

  describe('audio activity', () => {
    /** Reports Bob's camera tile as the page would (tile-views.ts); returns its token, to report it again. */
    const showBob = (session: CallSession, participant: string, visible: boolean, token: object = {}): object => {
      session.quality.reportTile(token, participant, { participant, kind: 'camera', width: 640, height: 360, visible });
      return token;
    };

    afterEach(() => vi.useRealTimers());

    it('tells the page a reading once, and again only when a level or a speaker changes', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const { alice, bob } = await aliceWithBob();
      const link = alice.links[0]!;
      link.state = 'connected';
      const told: AudioActivity[] = [];
      alice.session.on('audioActivity', (a) => told.push(a));
      showBob(alice.session, bob.participant, true);
      const poll = async (times: number) => {
        for (let i = 0; i < times; i++) {
          vi.advanceTimersByTime(AUDIO_POLL_MS);
          await Promise.resolve(); // the own level is read asynchronously
          await Promise.resolve();
        }
      };
      await poll(10);
      // A quiet room: one reading, not ten repaints.
      expect(told).toHaveLength(1);
      expect(told[0]!.levels[bob.participant]).toBe(0);
      link.levels.remote = 0.2;
      await poll(10);
      expect(told).toHaveLength(2);
      expect(told[1]!.levels[bob.participant]).toBeCloseTo(0.2, 2);
      expect(told[1]!.speaking[bob.participant]).toBe(true);
      // Quiet again: the meter drops at once, the highlight after its hold.
      link.levels.remote = 0;
      await poll(10);
      expect(told.map((a) => a.speaking[bob.participant])).toEqual([false, true, true, false]);
    });

    it('reads a level only while its tile can be seen, and again once it can', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const { alice, bob } = await aliceWithBob();
      const link = alice.links[0]!;
      link.state = 'connected';
      link.levels.remote = 0.2;
      const told: AudioActivity[] = [];
      alice.session.on('audioActivity', (a) => told.push(a));
      const poll = async (times: number) => {
        for (let i = 0; i < times; i++) {
          vi.advanceTimersByTime(AUDIO_POLL_MS);
          await Promise.resolve();
          await Promise.resolve();
        }
      };
      // No tile yet, then a tile in a background tab: nothing to draw the meter on, nothing read.
      await poll(3);
      const tile = showBob(alice.session, bob.participant, false);
      await poll(3);
      expect(link.remoteLevelReads).toBe(0);
      expect(told.at(-1)?.levels[bob.participant]).toBe(0);
      // The tab comes to the front: read on the next poll.
      showBob(alice.session, bob.participant, true, tile);
      await poll(1);
      expect(link.remoteLevelReads).toBe(1);
      expect(told.at(-1)?.levels[bob.participant]).toBeCloseTo(0.2, 2);
      // The tile goes (Bob left the stage): not read again.
      alice.session.quality.removeTile(tile);
      await poll(3);
      expect(link.remoteLevelReads).toBe(1);
    });
  });

  describe('mute and camera', () => {
    it('starts the media with the saved mute and camera preferences and announces them', async () => {
      const room = await newRoom();
      const bob = (await person(room, 'Bob')).join();
      const alice = await joined(newCall(room, { micMuted: true, cameraOff: true }));
      await until(() => expect(alice.media.micMuted).toBe(true));
      expect(alice.media.cameraOff).toBe(true);
      const [self] = alice.session.state.participants;
      expect([self?.micMuted, self?.cameraOff]).toEqual([true, true]);
      await until(() => expect(bob.presencesFrom(idOf(alice)).length).toBeGreaterThan(0));
      expect(bob.presencesFrom(idOf(alice))[0]).toMatchObject({ micMuted: true, cameraOff: true });
    });

    it('shows its own mute in the snapshot, mutes the microphone, tells everyone and saves it', async () => {
      const { alice, bob } = await aliceWithBob();
      await alice.session.setMicMuted(true);
      expect(alice.session.state.participants[0]).toMatchObject({ self: true, micMuted: true, cameraOff: false });
      expect(alice.media.micMuted).toBe(true);
      expect(alice.saved).toEqual([{ micMuted: true }]);
      await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)).toMatchObject({ micMuted: true }));

      await alice.session.setMicMuted(false);
      expect(alice.session.state.participants[0]?.micMuted).toBe(false);
      await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)).toMatchObject({ micMuted: false }));
    });

    it('turns the camera off: in the snapshot, in its presence, saved, and no video on any link', async () => {
      const { alice, bob } = await aliceWithBob();
      const link = alice.links[0]!; // Bob's, made by aliceWithBob
      const camera = alice.media.video;
      expect(camera).not.toBeNull();
      const sent = () => {
        const last = link.tracksSet.filter(([kind]) => kind === 'video').at(-1);
        return last ? last[1] : link.options.video;
      };
      expect(sent()).toBe(camera);
      await alice.session.setCameraOff(true);
      expect(alice.session.state.participants[0]?.cameraOff).toBe(true);
      expect(alice.media.cameraOff).toBe(true);
      expect(alice.saved).toEqual([{ cameraOff: true }]);
      expect(sent()).toBeNull();
      await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)).toMatchObject({ cameraOff: true }));
    });

    it('keeps the camera off and says why when it cannot be opened again', async () => {
      const { alice, bob } = await aliceWithBob();
      await alice.session.setCameraOff(true);
      await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)).toMatchObject({ cameraOff: true }));
      alice.media.cameraError = new ZingError('CAMERA_UNAVAILABLE', 'unplugged');
      await alice.session.setCameraOff(false);
      expect(alice.session.state.alert?.code).toBe('CAMERA_UNAVAILABLE');
      expect(alice.session.state.participants[0]?.cameraOff).toBe(true);
      expect(alice.saved).toEqual([{ cameraOff: true }]);

      alice.media.cameraError = undefined;
      await alice.session.setCameraOff(false);
      expect(alice.session.state.alert).toBeUndefined();
      expect(alice.session.state.participants[0]?.cameraOff).toBe(false);
    });

    it('sends the suppressed microphone on every link once the suppressor runs, the raw one when it is switched off, and saves the choice', async () => {
      const room = await newRoom();
      const suppressed = { label: 'suppressed', enabled: true } as unknown as MediaStreamTrack; // the session only passes it on
      let running = false;
      let changed: () => void = () => undefined;
      const graph = {
        output: suppressed,
        get running() {
          return running;
        },
        connect: () => undefined,
        onRunningChanged: (listener: () => void) => {
          changed = listener;
          return () => undefined;
        },
        setActive: async (active: boolean) => {
          running = active;
          changed();
        },
        close: () => undefined,
      };
      const alice = await joined(newCall(room, {}, new FakeMedia(), { loadSuppressor: async () => graph }));
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links.length).toBe(1));
      const link = alice.links[0]!; // one link, waited for just above
      /** What the link sends now: the track it was made with, or the last one it was given. */
      const sent = () => {
        const last = link.tracksSet.filter(([kind]) => kind === 'audio').at(-1);
        return last ? last[1] : link.options.audio;
      };
      await until(() => expect(sent()).toBe(suppressed));
      expect(alice.session.state.effects).toEqual({ noiseSuppression: true, blurBackground: false, notice: undefined });

      await alice.session.setNoiseSuppression(false);
      expect(sent()).toBe(alice.media.audio);
      expect(alice.session.state.effects.noiseSuppression).toBe(false);
      expect(alice.saved).toEqual([{ noiseSuppression: false }]);

      await alice.session.setNoiseSuppression(true);
      await until(() => expect(sent()).toBe(suppressed));
    });

    it('sends the raw microphone and says why where the suppressor cannot start', async () => {
      const room = await newRoom();
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const alice = await joined(
        newCall(room, {}, new FakeMedia(), { loadSuppressor: () => Promise.reject(new Error('no AudioWorklet')) }),
      );
      await until(() => expect(alice.session.state.effects.notice).toBe('noiseSuppressionFailed'));
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links.length).toBe(1));
      expect(alice.links[0]?.options.audio).toBe(alice.media.audio);
      expect(alice.media.audio).not.toBeNull();
      expect(alice.session.state.effects.noiseSuppression).toBe(true);
    });

    it('sends no picture while the blur starts, then the blurred one, which the own tile shows too', async () => {
      const room = await newRoom();
      const media = new FakeMedia();
      const engine = new FakeBlurEngine();
      let release!: () => void;
      const loaded = new Promise<void>((r) => {
        release = r;
      });
      const alice = await joined(
        newCall(room, { blurBackground: true }, media, {
          loadBlur: async () => {
            await loaded;
            return engine;
          },
        }),
      );
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links.length).toBe(1));
      const link = alice.links[0]!; // one link, waited for just above
      const sent = () => {
        const last = link.tracksSet.filter(([kind]) => kind === 'video').at(-1);
        return last ? last[1] : link.options.video;
      };
      expect(sent()).toBeNull();
      release();
      const camera = media.video;
      expect(camera).not.toBeNull();
      await until(() => expect(engine.camera).toBe(camera));
      expect(sent()).toBeNull();
      engine.start();
      await until(() => expect(sent()).toBe(engine.output));
      expect(alice.session.state.effects.blurBackground).toBe(true);

      await alice.session.setBlurBackground(false);
      expect(sent()).toBe(camera);
      expect(alice.saved).toEqual([{ blurBackground: false }]);
    });

    it('composites the blur at the rate the links send: the camera’s in a call of two, the capped 15 fps in a call of four', async () => {
      const room = await newRoom();
      const engine = new FakeBlurEngine();
      const alice = await joined(newCall(room, { blurBackground: true }, new FakeMedia(), { loadBlur: async () => engine }));
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links.length).toBe(1));
      await until(() => expect(engine.frameRateCap).toBe(FULL_FRAMERATE));
      const others = await Promise.all(['Cy', 'Dee'].map((name) => person(room, name)));
      for (const other of others) other.join();
      await until(() => expect(alice.links.length).toBe(3));
      await until(() => expect(engine.frameRateCap).toBe(CPU_FRAMERATE_CAP.fps));
      for (const other of others) other.leave();
      await until(() => expect(engine.frameRateCap).toBe(FULL_FRAMERATE));
    });

    it('turns the blur off and says why when it cannot keep up, and turns the camera off rather than show the room', async () => {
      const room = await newRoom();
      const media = new FakeMedia();
      const engine = new FakeBlurEngine();
      const alice = await joined(newCall(room, { blurBackground: true }, media, { loadBlur: async () => engine }));
      const bob = await person(room, 'Bob');
      bob.join();
      await until(() => expect(alice.links.length).toBe(1));
      const link = alice.links[0]!; // Bob's, waited for just above
      const camera = media.video;
      expect(camera).not.toBeNull();
      await until(() => expect(engine.camera).toBe(camera));
      engine.start();
      await until(() => expect(link.tracksSet.at(-1)).toEqual(['video', engine.output]));
      const before = link.tracksSet.length;
      engine.stop('tooSlow');
      expect(alice.session.state.effects).toMatchObject({ blurBackground: false, notice: 'blurTooSlow' });
      // Not one raw frame: the next track on the link is none, at once.
      expect(link.tracksSet.slice(before).filter(([kind]) => kind === 'video')).toEqual([['video', null]]);
      await until(() => expect(media.cameraOff).toBe(true));
      expect(alice.session.state.participants[0]?.cameraOff).toBe(true);
      await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)).toMatchObject({ cameraOff: true }));
      // Not remembered: the next call starts with the person's own camera choice (and tries the blur again).
      expect(alice.saved).toEqual([]);

      // Turning the camera on is the person's choice to go out unblurred.
      await alice.session.setCameraOff(false);
      expect(link.tracksSet.at(-1)).toEqual(['video', media.video]);
      expect(alice.session.state.effects.notice).toBeUndefined();
    });

    it('says in words when the screen cannot be shared, and nothing when the person cancels the picker', async () => {
      const room = await newRoom();
      const media = new FakeMedia();
      const alice = await joined(newCall(room, {}, media));
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      await alice.session.setScreenSharing(true); // cancelled
      expect(alice.session.state.alert).toBeUndefined();
      media.screenError = new DOMException('Permission denied by system', 'NotAllowedError');
      await alice.session.setScreenSharing(true);
      expect(alice.session.state.alert?.code).toBe('SCREEN_UNAVAILABLE');
      expect(alice.session.state.participants[0]?.screenSharing).toBe(false);
    });

    it('keeps the camera off when the blur stops while the camera is still turning on: no raw frame, and it says off', async () => {
      const room = await newRoom();
      const media = new FakeMedia();
      const engine = new FakeBlurEngine();
      const alice = await joined(newCall(room, { blurBackground: true }, media, { loadBlur: async () => engine }));
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links.length).toBe(1));
      const link = alice.links[0]!; // Bob's, waited for just above
      await until(() => expect(engine.camera).not.toBeNull());
      engine.start();
      await alice.session.setCameraOff(true);
      let open: () => void = () => undefined;
      media.cameraOpening = new Promise<void>((resolve) => {
        open = resolve;
      });
      const turningOn = alice.session.setCameraOff(false); // a slow camera: seconds on a busy machine
      const before = link.tracksSet.length;
      engine.stop('tooSlow'); // the blur gives up meanwhile
      open();
      await turningOn;
      await until(() => expect(media.cameraOff).toBe(true));
      const sent = link.tracksSet.slice(before).filter(([kind]) => kind === 'video');
      expect(sent.every(([, track]) => track === null)).toBe(true);
      expect(alice.session.state.participants[0]?.cameraOff).toBe(true);
      expect(alice.session.state.effects).toMatchObject({ blurBackground: false, notice: 'blurTooSlow' });
      expect(alice.saved).toEqual([{ cameraOff: true }]); // the person's off; the on that lost the race is not remembered
    });

    it('turns the camera off when a remembered blur cannot start, and blurs again once switched back on', async () => {
      const room = await newRoom();
      const media = new FakeMedia();
      let engine: FakeBlurEngine | undefined;
      let attempts = 0;
      const alice = await joined(
        newCall(room, { blurBackground: true }, media, {
          loadBlur: async () => {
            attempts += 1;
            if (attempts === 1) throw new Error('no WebGL 2');
            engine = new FakeBlurEngine();
            return engine;
          },
        }),
      );
      (await person(room, 'Bob')).join();
      await until(() => expect(alice.links.length).toBe(1));
      const link = alice.links[0]!; // Bob's, waited for just above
      await until(() => expect(alice.session.state.effects.notice).toBe('blurFailed'));
      await until(() => expect(media.cameraOff).toBe(true));
      expect(link.tracksSet.filter(([kind, track]) => kind === 'video' && track !== null)).toEqual([]);
      expect(link.options.video).toBeNull();

      // Blur on again, then the camera: the blurred picture goes out, never the raw one.
      await alice.session.setBlurBackground(true);
      await alice.session.setCameraOff(false);
      await until(() => expect(engine?.camera).toBe(media.video));
      expect(link.tracksSet.filter(([kind, track]) => kind === 'video' && track === media.video)).toEqual([]);
      engine?.start();
      await until(() => expect(link.tracksSet.at(-1)).toEqual(['video', engine?.output]));
    });

    it('shows a remote participant’s mute, camera and new name from their presence', async () => {
      const { alice, bob } = await aliceWithBob();
      bob.say(undefined, { micMuted: true, cameraOff: true, name: 'Robert' });
      await until(() => expect(others(alice)[0]).toMatchObject({ name: 'Robert', micMuted: true, cameraOff: true }));
      expect(alice.session.nameOf(bob.participant)).toBe('Robert');
      expect(alice.links).toHaveLength(1);
    });

    it('carries a rename made elsewhere into the snapshot and its presence', async () => {
      const { alice, bob } = await aliceWithBob();
      alice.rename('Alicia');
      expect(alice.session.state.participants[0]?.name).toBe('Alicia');
      await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)?.name).toBe('Alicia'));
    });
  });

  describe('devices', () => {
    const present = (...ids: string[]) => ({
      devices: ids.map((id) => ({ kind: id.startsWith('cam') ? ('camera' as const) : ('microphone' as const), id, label: `Label ${id}` })),
      ready: Promise.resolve(),
      refresh: () => Promise.resolve(),
    });

    it('opens the remembered camera and microphone where they are plugged in', async () => {
      const room = await newRoom();
      const alice = await joined(
        newCall(room, {}, new FakeMedia(), {
          devices: { camera: { id: 'cam2', label: 'Label cam2' }, microphone: { id: 'mic2', label: 'Label mic2' } },
          deviceList: present('cam1', 'cam2', 'mic1', 'mic2'),
        }),
      );
      await until(() => expect(alice.media.started).toMatchObject({ camera: 'cam2', microphone: 'mic2' }));
      expect(alice.session.state.inputs).toEqual({ camera: 'cam2', microphone: 'mic2' });
      expect(alice.session.state.alert).toBeUndefined();
    });

    it('opens the default in place of a remembered camera that is gone, and names it', async () => {
      const room = await newRoom();
      const alice = await joined(
        newCall(room, {}, new FakeMedia(), {
          devices: { camera: { id: 'cam9', label: 'USB camera' } },
          deviceList: present('cam1', 'mic1'),
        }),
      );
      await until(() => expect(alice.media.started).toBeDefined());
      expect(alice.media.started?.camera).toBeUndefined();
      expect(alice.session.state.alert).toMatchObject({ code: 'DEVICE_MISSING', message: 'USB camera' });
    });

    it('switches the camera on every link without a new link, and remembers it', async () => {
      const { alice } = await aliceWithBob();
      const [link] = alice.links;
      await alice.session.useDevice('camera', 'cam2');
      expect(link?.tracksSet.at(-1)).toEqual(['video', alice.media.video]);
      expect(alice.media.video?.getSettings().deviceId).toBe('cam2');
      expect(alice.links).toHaveLength(1);
      expect(link?.closes).toBe(0);
      expect(alice.session.state.inputs.camera).toBe('cam2');
      expect(alice.savedDevices).toEqual([['camera', { id: 'cam2', label: '' }]]);
    });

    it('switches the microphone back to the default and forgets the choice', async () => {
      const { alice } = await aliceWithBob();
      const [link] = alice.links;
      await alice.session.useDevice('microphone', undefined);
      expect(link?.tracksSet.at(-1)).toEqual(['audio', alice.media.audio]);
      expect(alice.savedDevices).toEqual([['microphone', undefined]]);
    });

    it('keeps the old device and says why when the new one cannot be opened', async () => {
      const { alice } = await aliceWithBob();
      const before = alice.media.video;
      alice.media.deviceError = new ZingError('CAMERA_UNAVAILABLE', 'busy');
      await alice.session.useDevice('camera', 'cam2');
      expect(alice.media.video).toBe(before);
      expect(alice.session.state.alert?.code).toBe('CAMERA_UNAVAILABLE');
    });

    it('falls back to the default camera when the one in use is unplugged, and says which one went', async () => {
      const { alice } = await aliceWithBob();
      const [link] = alice.links;
      await alice.session.useDevice('camera', 'cam2');
      alice.media.unplug('camera');
      await until(() => expect(alice.session.state.alert?.code).toBe('CAMERA_LOST'));
      expect(alice.session.state.alert?.message).toBe('the cam2 device');
      expect(alice.media.video?.getSettings().deviceId).toBe('default-cam');
      expect(link?.tracksSet.at(-1)).toEqual(['video', alice.media.video]);
      expect(link?.closes).toBe(0);
    });

    it('sends no microphone and says so when the unplugged one was the last', async () => {
      const { alice } = await aliceWithBob();
      const [link] = alice.links;
      alice.media.deviceError = new ZingError('CAMERA_UNAVAILABLE', 'no microphone');
      alice.media.unplug('microphone');
      await until(() => expect(alice.session.state.alert?.code).toBe('CAMERA_UNAVAILABLE'));
      expect(link?.tracksSet.at(-1)).toEqual(['audio', null]);
    });
  });

  describe('a remote leaving', () => {
    it('removes whoever’s relay address leaves and closes their link, and waits alone again', async () => {
      const { alice, bob } = await aliceWithBob();
      const [link] = alice.links;
      bob.leave();
      expect(others(alice)).toEqual([]);
      expect(link?.closes).toBe(1);
      expect(alice.session.state.phase).toBe('waiting');
      expect(alice.session.nameOf(bob.participant)).toBeUndefined();
    });

    it('keeps the others when one of three leaves', async () => {
      const { room, alice, bob } = await aliceWithBob();
      const carol = (await person(room, 'Carol')).join();
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob', 'Carol']));
      bob.leave();
      expect(names(alice)).toEqual(['Alice', 'Carol']);
      expect(alice.links.map((l) => l.closes)).toEqual([1, 0]);
      expect(others(alice)[0]?.id).toBe(carol.participant);
    });
  });

  describe('a link holder who misbehaves', () => {
    /** Until Alice shows Bob's new name: she has opened everything Bob's socket sent before it. */
    const openedUpTo = async (alice: FakeCall, bob: Person, name: string) => {
      bob.say(undefined, { name });
      await until(() => expect(names(alice)).toContain(name));
    };

    it('takes one participant per relay address: identities made up on Bob’s socket get no welcome, no link and no tile', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room));
      const bob = await person(room, 'Bob');
      // Sealing on Bob's socket from the start, as one page holding five identities would.
      const posers = await Promise.all(Array.from({ length: 5 }, (_, i) => Person.posingOn(bob, `Poser ${i}`)));
      people.push(...posers);
      // They hear what Alice sends Bob's socket; answering her greeting with welcomes of their own would race
      // Bob's for the address (whoever is first there is the one person it holds). They speak below, Bob in.
      for (const poser of posers) poser.answers = false;
      bob.join();
      await until(() => expect(bob.presencesFrom(idOf(alice)).length).toBeGreaterThan(0));
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob']));
      const at = bob.recipient(idOf(alice));
      for (const poser of posers) {
        poser.hello(at.peer);
        poser.welcome(at); // admission is by a welcome bound to Alice's page, which Bob can tell each poser how to address
      }
      await openedUpTo(alice, bob, 'Bob again');
      await settled(...posers);
      expect(names(alice)).toEqual(['Alice', 'Bob again']);
      expect(alice.links).toHaveLength(1);
      // Not one answer: her welcomes would be theirs to admit Alice with, and her early links one each.
      for (const poser of posers) expect(poser.heard.filter((m) => m.participant === idOf(alice) && m.bound)).toEqual([]);
    });

    it('puts no one on the roster from a welcome it opens after the relay said its socket left: no tile that nothing takes away', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room));
      const carol = await person(room, 'Carol');
      carol.join();
      await until(() => expect(names(alice)).toEqual(['Alice', 'Carol']));
      const bob = await person(room, 'Bob');
      bob.answers = false;
      bob.join();
      await until(() => expect(bob.heard.some((m) => m.participant === idOf(alice) && m.msg.type === 'hello')).toBe(true));
      // Bob welcomes Alice and closes his socket at once: the leave comes before his welcome is opened.
      bob.welcome(bob.recipient(idOf(alice)));
      alice.signaling.fire('peerLeft', bob.peer);
      await settled(bob);
      // Carol's next presence is opened after Bob's welcome.
      carol.say(undefined, { name: 'Carol again' });
      await until(() => expect(names(alice)).toContain('Carol again'));
      expect(names(alice)).toEqual(['Alice', 'Carol again']);
      // Carol's, and no other open (a link opened ahead on Bob's hello closed with his leave).
      expect(alice.links.filter((l) => l.closes === 0)).toHaveLength(1);
    });

    it('keeps the pairings of at most MAX_STRANGERS people it welcomed but never admitted, whatever a flood of hellos from many sockets', async () => {
      const { room, alice, bob } = await aliceWithBob();
      // Each socket greets under REPLY_LIMITS.burst fresh identities, all answered at once; enough sockets to pass the cap.
      const sockets = Math.ceil((MAX_STRANGERS + 40) / REPLY_LIMITS.burst);
      const strangers: Person[] = [];
      for (let i = 0; i < sockets; i++) {
        const socket = await person(room, `Mallory ${i}`);
        socket.greets = false;
        socket.answers = false;
        // Sealing on the socket from its join, as one page holding many identities would.
        const posers = await Promise.all(
          Array.from({ length: REPLY_LIMITS.burst }, (_, j) => Person.posingOn(socket, `Stranger ${i}.${j}`)),
        );
        socket.join();
        people.push(...posers);
        strangers.push(...posers);
        for (const poser of posers) {
          poser.answers = false;
          poser.hello(alice.signaling.self);
        }
      }
      await settled(...strangers);
      await openedUpTo(alice, bob, 'Bob after the flood');
      // Every hello was answered (the cap is on what is remembered, not on answers), and only the newest strangers are remembered.
      expect(alice.session.pairingsHeld).toBe(1 + MAX_STRANGERS);
      expect(names(alice)).toEqual(['Alice', 'Bob after the flood']);

      // Someone honest greeting now is still welcomed, admitted and sent Alice's salt: the pairing held to the end.
      const carol = (await person(room, 'Carol')).join();
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob after the flood', 'Carol']));
      await until(() => expect(carol.heard.some((m) => m.participant === idOf(alice) && m.msg.type === 'reveal')).toBe(true));
      expect(alice.session.pairingsHeld).toBeLessThanOrEqual(2 + MAX_STRANGERS);
    }, 60_000);

    it('answers a flood of hellos at REPLY_LIMITS’s pace, so it stays within what the relay lets it send', async () => {
      const { alice, bob } = await aliceWithBob();
      const answers = () =>
        bob.heard.filter((m) => m.participant === idOf(alice) && (m.msg.type === 'welcome' || m.msg.type === 'reveal')).length;
      const before = answers();
      const started = performance.now();
      for (let i = 0; i < 100; i++) bob.hello(alice.signaling.self);
      await openedUpTo(alice, bob, 'Bob flooding');
      await settled(bob);
      const seconds = (performance.now() - started) / 1000;
      // A welcome and a reveal per hello answered: the burst, then one a second.
      const most = 2 * (REPLY_LIMITS.burst + Math.ceil(seconds * REPLY_LIMITS.perSecond));
      expect(answers() - before).toBeGreaterThan(0);
      expect(answers() - before).toBeLessThanOrEqual(most);
      expect(names(alice)).toEqual(['Alice', 'Bob flooding']);
    });
  });

  describe('reconnecting', () => {
    it('keeps everyone through a relay restart: the same link, resynced once, its signals going to the new address', async () => {
      const { room, alice, bob } = await aliceWithBob();
      const oldBob = bob.peer;
      const seen = phases(alice);
      room.relay.restart();
      expect(bob.peer).not.toBe(oldBob);
      await until(() => expect(alice.links[0]?.resyncs).toBe(1));
      expect(seen).toEqual(['inCall', 'reconnecting', 'inCall']);
      expect(names(alice)).toEqual(['Alice', 'Bob']);
      expect(alice.links).toHaveLength(1);
      expect(alice.links[0]?.closes).toBe(0);

      // A leave for the address Bob had before is not Bob leaving.
      alice.signaling.fire('peerLeft', oldBob);
      expect(names(alice)).toEqual(['Alice', 'Bob']);

      const candidate: PeerMessage = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host' } };
      alice.links[0]?.signal(candidate);
      await until(() =>
        expect(bob.heard.at(-1)).toMatchObject({ from: alice.signaling.self, participant: idOf(alice), msg: candidate, bound: true }),
      );
      // Addressed to Bob alone (a bound message is never a broadcast), where he is now: nothing goes to his old address.
      const fromAlice = room.relay.frames.filter((f) => f.from === alice.signaling.self);
      expect(fromAlice.some((f) => f.to === bob.peer)).toBe(true);
      expect(fromAlice.some((f) => f.to === oldBob)).toBe(false);
    });

    it('replaces a link whose other end started over with a new one, on the same side of the offer, and hands it their offer', async () => {
      const { alice, bob } = await aliceWithBob(false);
      const [old] = alice.links;
      if (!old) throw new Error('Alice should have a link to Bob');
      const offer: PeerMessage = { type: 'description', description: { type: 'offer', sdp: 'v=0 from a new connection' } };
      old.remoteReplaced(offer);
      expect(alice.links).toHaveLength(2);
      const [, fresh] = alice.links;
      expect(old.closes).toBe(1);
      expect(fresh?.options.initiator).toBe(old.options.initiator);
      expect(fresh?.received).toEqual([offer]);
      expect(names(alice)).toEqual(['Alice', 'Bob']);
      // The new link's signals go to Bob; the old one's listeners are gone with it.
      const candidate: PeerMessage = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host' } };
      fresh?.signal(candidate);
      await until(() => expect(bob.heard.at(-1)).toMatchObject({ participant: idOf(alice), msg: candidate, bound: true }));
      old.remoteReplaced(offer);
      expect(alice.links).toHaveLength(2);
    });

    it('replaces the link for an offer from a new connection where it is the side that offers, but offers itself rather than take that one', async () => {
      // Only a page that breaks the protocol offers from the answering side. Taken, the offer's m-lines would sit
      // beside the new link's own transceivers, and the tile would follow those, which carry nothing from Bob.
      const { alice } = await aliceWithBob(true);
      const [old] = alice.links;
      if (!old) throw new Error('Alice should have a link to Bob');
      expect(old.options.initiator).toBe(true);
      old.remoteReplaced({ type: 'description', description: { type: 'offer', sdp: 'v=0 from the answering side' } });
      expect(alice.links).toHaveLength(2);
      expect(old.closes).toBe(1);
      expect(alice.links[1]?.options.initiator).toBe(true);
      expect(alice.links[1]?.received).toEqual([]);
    });

    it('builds a member a new link at most LINK_REBUILDS allows, however often they ask; the latest held request is applied, not lost', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const { alice } = await aliceWithBob(false);
      const offer = (n: number): PeerMessage => ({ type: 'description', description: { type: 'offer', sdp: `v=0 connection ${n}` } });
      // A hostile Bob sends offers from new connections in a loop (each to the link Alice has now).
      for (let n = 1; n <= 10; n++) alice.links.at(-1)?.remoteReplaced(offer(n));
      expect(alice.links).toHaveLength(1 + LINK_REBUILDS.burst);
      expect(alice.links.at(-1)?.received).toEqual([offer(LINK_REBUILDS.burst)]);
      // The next token is due 1 / perSecond later, and the roster's next tick spends it on the latest offer held.
      const due = 1_000 / LINK_REBUILDS.perSecond;
      vi.advanceTimersByTime(due - ROSTER_TICK_MS - 1);
      expect(alice.links).toHaveLength(1 + LINK_REBUILDS.burst);
      vi.advanceTimersByTime(2 * ROSTER_TICK_MS);
      expect(alice.links).toHaveLength(2 + LINK_REBUILDS.burst);
      expect(alice.links.at(-1)?.received).toEqual([offer(10)]);
      // Nothing more is held: the bucket refills, and no link is built for it.
      vi.advanceTimersByTime(3 * due);
      expect(alice.links).toHaveLength(2 + LINK_REBUILDS.burst);
      expect(alice.links.slice(0, -1).every((l) => l.closes === 1)).toBe(true);
    });

    it('replaces the link for an answer from a new connection too, but never applies that answer to the new link', async () => {
      const { alice } = await aliceWithBob();
      const answer: PeerMessage = { type: 'description', description: { type: 'answer', sdp: 'v=0 from a new connection' } };
      alice.links[0]?.remoteReplaced(answer);
      expect(alice.links).toHaveLength(2);
      expect(alice.links[1]?.received).toEqual([]);
    });

    it('starts its link to someone over at once, after its welcome, when their welcome says they took this page for gone', async () => {
      const { room, alice, bob } = await aliceWithBob();
      const [old] = alice.links;
      if (!old) throw new Error('Alice should have a link to Bob');
      old.negotiated = true;
      await heardHello(bob, alice); // answered, so the welcome taking her for gone is one after the outage
      bob.forget(idOf(alice)); // the relay let Alice go while her computer slept, and Bob took her for gone
      // Bob's own hello would earn his a welcome anyway: without it, only his fresh welcome can.
      bob.greets = false;
      const welcomesHeard = () => bob.heard.filter((m) => m.msg.type === 'welcome').length;
      const before = welcomesHeard();
      room.relay.restart();
      await until(() => expect(alice.links).toHaveLength(2));
      expect(old.closes).toBe(1);
      expect(alice.links[1]?.options.initiator).toBe(old.options.initiator);
      expect(names(alice)).toEqual(['Alice', 'Bob']);
      // Her welcome admits her again at Bob: the new link's offer, which follows it, is not a stranger's.
      await until(() => expect(welcomesHeard()).toBe(before + 1));
      bob.greets = true;
      // Once: after another outage, a welcome that is not fresh keeps the link, negotiated or not.
      const again = alice.links[1];
      if (again) again.negotiated = true;
      room.relay.restart();
      await until(() => expect(again?.resyncs).toBe(1));
      expect(alice.links).toHaveLength(2);
    });

    it('keeps a link that never negotiated when their welcome is fresh: it is as new as theirs', async () => {
      const { room, alice, bob } = await aliceWithBob();
      await heardHello(bob, alice);
      bob.forget(idOf(alice));
      room.relay.restart();
      await until(() => expect(alice.links[0]?.resyncs).toBe(1));
      await until(() => expect(bob.heard.filter((m) => m.msg.type === 'welcome').length).toBeGreaterThanOrEqual(2));
      expect(alice.links).toHaveLength(1);
      expect(alice.links[0]?.closes).toBe(0);
    });

    it('says fresh once, in its first welcome to someone it took for gone; never on a first meeting or a reconnect', async () => {
      // The roster's clock stands still, so Alice sends no hello again on a slow machine.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const { room, alice, bob } = await aliceWithBob();
      const fresh = () => bob.heard.flatMap((m) => (m.participant === idOf(alice) && m.msg.type === 'welcome' ? [m.msg.fresh] : []));
      expect(fresh()).not.toContain(true); // a first meeting: both links are new
      let before = fresh().length;
      room.relay.restart(); // a reconnect keeps the links
      await until(() => expect(fresh().length).toBeGreaterThan(before));
      // The relay lets Bob's socket go: Alice closes his link. Bob comes back on a new socket and greets her,
      // twice (a hello sent again); nothing from the socket that left counts.
      bob.greets = false;
      room.relay.remove(bob.peer);
      await until(() => expect(names(alice)).toEqual(['Alice']));
      expect(fresh().slice(before)).not.toContain(true); // what the reconnect brought, however many welcomes
      before = fresh().length;
      room.relay.admit(bob.signaling);
      bob.hello(alice.signaling.self);
      await until(() => expect(fresh().slice(before)).toContain(true));
      bob.hello(alice.signaling.self);
      // Her welcomes since: the first fresh, and no other. (The handshake can add a welcome of its own
      // between the two answers, or after both, depending on what crosses what.)
      await until(() => expect(fresh().length).toBeGreaterThanOrEqual(before + 2));
      const since = fresh().slice(before);
      expect(since[0]).toBe(true);
      expect(since.filter((f) => f)).toEqual([true]);
    });

    it('clears the unreachable alert once the relay takes it back', async () => {
      const { room, alice } = await aliceWithBob();
      alice.signaling.fire('unreachable', { attempt: 1 });
      expect(alice.session.state.alert?.code).toBe('RELAY_UNREACHABLE');
      room.relay.restart();
      expect(alice.session.state.alert).toBeUndefined();
    });

    it('takes negotiation from where a participant is now, not from an address they left', async () => {
      const { room, alice, bob } = await aliceWithBob();
      const oldBob = bob.peer;
      room.relay.restart();
      await until(() => expect(alice.links[0]?.resyncs).toBe(1));
      const self = alice.signaling.self;
      if (self === undefined) throw new Error('Alice is not back');
      // Signed by Bob, bound to Alice's page, one sealed from his old address (a relay delivering it late).
      const offer = (sdp: string): PeerMessage => ({ type: 'description', description: { type: 'offer', sdp } });
      const { participant: to, session: toSession } = bob.recipient(idOf(alice));
      const sealedAs = (from: PeerId, seq: number, msg: PeerMessage) =>
        bob.envelope(from, self, { to: to ?? '', toSession: toSession ?? '', seq, msg });
      room.relay.deliver({ from: oldBob, to: self, data: await sealedAs(oldBob, 1_000, offer('from the old address')) });
      room.relay.deliver({ from: bob.peer, to: self, data: await sealedAs(bob.peer, 1_001, offer('from the new address')) });
      // Opened in order: by the time the second arrives, the first was dealt with.
      await until(() => expect(alice.links[0]?.received).toHaveLength(1));
      expect(alice.links[0]?.received).toEqual([offer('from the new address')]);
    });

    it('drops after the grace whoever did not come back and whose link is down, and no one else', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const { room, alice } = await aliceWithBob();
      const carol = (await person(room, 'Carol')).join();
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob', 'Carol']));
      const dave = (await person(room, 'Dave')).join();
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob', 'Carol', 'Dave']));
      const [bobLink, carolLink, daveLink] = alice.links;
      if (!bobLink || !carolLink || !daveLink) throw new Error('three links expected');
      bobLink.setState('connected');
      carolLink.setState('connected');
      daveLink.setState('connected');
      vi.advanceTimersByTime(ROSTER_TICK_MS);

      // Carol's and Dave's tabs close while the relay is away: no leave can reach Alice.
      room.relay.restart([carol.signaling, dave.signaling]);
      await until(() => expect(bobLink.resyncs).toBe(1));
      carolLink.setState('failed');

      vi.advanceTimersByTime(REJOIN_GRACE_MS - ROSTER_TICK_MS);
      expect(names(alice)).toEqual(['Alice', 'Bob', 'Carol', 'Dave']);
      vi.advanceTimersByTime(ROSTER_TICK_MS);
      expect(names(alice)).toEqual(['Alice', 'Bob', 'Dave']);
      expect(carolLink.closes).toBe(1);

      // Dave's link still carries media: he stays until it drops too.
      vi.advanceTimersByTime(5 * REJOIN_GRACE_MS);
      expect(names(alice)).toEqual(['Alice', 'Bob', 'Dave']);
      daveLink.setState('reconnecting');
      vi.advanceTimersByTime(ROSTER_TICK_MS);
      expect(names(alice)).toEqual(['Alice', 'Bob']);
      expect([bobLink.closes, daveLink.closes]).toEqual([0, 1]);
    });

    it(`greets a newcomer it has not heard from again every ${HELLO_RETRY_MS} ms, ${HELLO_ATTEMPTS} times in all`, async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
      const room = await newRoom();
      const alice = await joined(newCall(room));
      const bob = await person(room, 'Bob');
      // Everything Bob says to Alice is lost on the way.
      room.relay.lose = (frame) => frame.from === bob.signaling.self;
      bob.join();
      // Hellos are the presences Alice addresses to Bob alone; her broadcasts are not.
      const hellos = () => room.relay.frames.filter((f) => f.from === alice.signaling.self && f.to === bob.peer).length;
      await until(() => expect(hellos()).toBe(1));
      for (let second = 1; second <= 10; second++) {
        vi.advanceTimersByTime(ROSTER_TICK_MS);
        // Alice seals in order: once a rename sent after this tick reaches Bob, any hello from the tick is out.
        alice.rename(`Alice ${second}`);
        await until(() => expect(bob.presencesFrom(idOf(alice)).at(-1)?.name).toBe(`Alice ${second}`));
        const expected = second < 2 ? 1 : second < 4 ? 2 : 3;
        expect(hellos(), `after ${second} s`).toBe(expected);
      }
      expect(others(alice)).toEqual([]);
    });
  });

  describe('who may appear, and as whom', () => {
    it('lets no one appear from messages recorded before this page began, and answers their hello into the void', async () => {
      const room = await newRoom();
      const bob = (await person(room, 'Bob')).join();
      const before = await joined(newCall(room));
      await until(() => expect(names(before)).toEqual(['Alice', 'Bob']));
      const recorded = room.relay.frames.filter((f) => f.from === bob.peer && (f.to === undefined || f.to === before.signaling.self));
      expect(recorded.length).toBeGreaterThan(1);
      const bobThen = bob.peer;
      bob.leave();
      before.session.leave();

      // A new page opens; the relay replays everything Bob ever said to the last one.
      const fresh = await joined(newCall(room));
      const self = fresh.signaling.self;
      for (const f of recorded) room.relay.deliver({ from: f.from, to: self, data: f.data });
      // The replayed hello verified (it is Bob's): the page answered it with a welcome to his old address…
      await until(() => expect(room.relay.frames.some((f) => f.from === self && f.to === bobThen)).toBe(true));
      // …which no one answers: no Bob. Where this page offers first it opened a link to him ahead; it took nothing.
      expect(names(fresh)).toEqual(['Alice']);
      expect(fresh.session.state.phase).toBe('waiting');
      expect(fresh.links).toHaveLength(isPolite(idOf(fresh), bob.participant) ? 0 : 1);
      expect(fresh.links.flatMap((l) => l.received)).toEqual([]);
    });

    describe('the link opened ahead by the side that offers first', () => {
      /** Alice in a room, and Bob (not yet in) whose id makes Alice the one who offers first. */
      async function aliceOffering() {
        const room = await newRoom();
        const alice = await joined(newCall(room));
        let bob = await person(room, 'Bob');
        while (isPolite(idOf(alice), bob.participant)) bob = await person(room, 'Bob');
        return { room, alice, bob };
      }
      const offer = { type: 'description', description: { type: 'offer', sdp: 'v=0 offer' } } as const;
      const answer = { type: 'description', description: { type: 'answer', sdp: 'v=0 answer' } } as const;

      it('opens as it welcomes a hello, sends its offer bound to that page right behind the welcome, and shows no one yet', async () => {
        const { room, alice, bob } = await aliceOffering();
        // Bob's hello reaches Alice; his welcome back does not (yet).
        room.relay.lose = (f) => f.from === bob.signaling.self && f.to !== undefined;
        bob.join();
        await until(() => expect(alice.links).toHaveLength(1));
        const [link] = alice.links;
        expect(link?.options).toMatchObject({ remote: bob.participant, initiator: true });
        expect(names(alice)).toEqual(['Alice']);
        expect(alice.session.state.phase).toBe('waiting');
        link?.signal(offer);
        await until(() => expect(bob.heard.some((m) => m.msg.type === 'description')).toBe(true));
        const heard = bob.heard.filter((m) => m.participant === idOf(alice)).map((m) => [m.msg.type, m.bound]);
        expect(heard).toEqual([
          ['hello', false],
          ['welcome', true],
          ['description', true],
        ]);
      });

      it('takes nothing from them on it until their welcome admits them, then is their link', async () => {
        const { room, alice, bob } = await aliceOffering();
        const lost = (f: { from: PeerId; to: PeerId | undefined }) => f.from === bob.signaling.self && f.to !== undefined;
        room.relay.lose = lost;
        bob.join();
        await until(() => expect(alice.links).toHaveLength(1));
        const link = alice.links[0]!; // waited for just above
        // Her link opens as she welcomes him; his page opens her welcome a moment later (on a loaded
        // machine, later than her link: "Bob never heard from" her, once, with the e2e files running).
        await until(() => expect(bob.heard.some((m) => m.participant === idOf(alice))).toBe(true));
        // An answer from someone not admitted is not taken, however genuine.
        bob.send(answer, idOf(alice));
        await settled(bob);
        await new Promise((r) => setTimeout(r, 50));
        expect(link.received).toEqual([]);

        // Bob's welcome (and that answer) arrive after all.
        room.relay.lose = () => false;
        for (const f of room.relay.frames.filter(lost)) room.relay.deliver(f);
        await until(() => expect(names(alice)).toEqual(['Alice', 'Bob']));
        expect(alice.links).toHaveLength(1);
        expect(link.closes).toBe(0);
        // Now it is his link: what he sends on it is taken. (The answer held back with his welcome
        // may already be in, depending on whether its opening finished before or after his admission.)
        bob.send(answer, idOf(alice));
        await until(() => expect(link.received.length).toBeGreaterThan(0));
        expect(link.received.every((m) => JSON.stringify(m) === JSON.stringify(answer))).toBe(true);
        expect(link.received.length).toBeLessThanOrEqual(2);
      });

      it(`is closed when no welcome comes within ${EARLY_LINK_MS / 1000} s: the hello may have been a replay`, async () => {
        vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
        const { room, alice, bob } = await aliceOffering();
        bob.greets = false;
        bob.join();
        // Only a hello, as a relay replaying Bob's from earlier would deliver it; nobody welcomes Alice back.
        room.relay.lose = (f) => f.from === bob.signaling.self && f.to !== undefined;
        bob.hello();
        await until(() => expect(alice.links).toHaveLength(1));
        vi.advanceTimersByTime(EARLY_LINK_MS - ROSTER_TICK_MS);
        expect(alice.links[0]?.closes).toBe(0);
        vi.advanceTimersByTime(2 * ROSTER_TICK_MS);
        expect(alice.links[0]?.closes).toBe(1);
        expect(names(alice)).toEqual(['Alice']);
      });

      it('sends the microphone and camera as they are now, and is closed with the call', async () => {
        const { room, alice, bob } = await aliceOffering();
        room.relay.lose = (f) => f.from === bob.signaling.self && f.to !== undefined;
        bob.join();
        await until(() => expect(alice.links).toHaveLength(1));
        const link = alice.links[0]!; // waited for just above
        await alice.session.setCameraOff(true);
        expect(link.tracksSet.at(-1)).toEqual(['video', null]);
        alice.session.leave();
        expect(link.closes).toBe(1);
      });
    });

    it('refuses a presence claiming another participant’s id, and keeps taking theirs', async () => {
      const { room, alice, bob } = await aliceWithBob();
      const refused = refusals();
      const mallory = (await person(room, 'Mallory')).join();
      await until(() => expect(mallory.heard.some((m) => m.participant === bob.participant)).toBe(true));
      const forged = await mallory.envelope(mallory.peer, undefined, {
        from: bob.participant,
        session: bob.identity.session,
        key: mallory.identity.publicKey,
        seq: 2 ** 52,
        msg: { type: 'presence', name: 'Mallory', micMuted: true, cameraOff: true, screenSharing: false },
      });
      room.relay.deliver({ from: mallory.peer, to: undefined, data: forged });
      await until(() => expect(refused()).toBeGreaterThanOrEqual(1));
      // Bob is still Bob, unmuted, on his own link; Mallory appears, if at all, as herself.
      expect(others(alice).find((p) => p.id === bob.participant)).toMatchObject({ name: 'Bob', micMuted: false });
      expect(alice.links[0]).toMatchObject({ closes: 0, resyncs: 0 });
      expect(alice.links[0]?.options.remote).toBe(bob.participant);
      // Bob's own next message is still new to Alice, whatever sequence number the forgery claimed.
      bob.say(undefined, { micMuted: true });
      await until(() => expect(others(alice).find((p) => p.id === bob.participant)).toMatchObject({ name: 'Bob', micMuted: true }));
    });
  });

  describe('safety codes', () => {
    /** Two sessions that met, their links up, each told what its DTLS verified. */
    async function twoSessions() {
      const room = await newRoom();
      const alice = await joined(newCall(room, { name: 'Alice' }));
      const bob = await joined(newCall(room, { name: 'Bob' }));
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob']));
      await until(() => expect(names(bob)).toEqual(['Bob', 'Alice']));
      const [a] = alice.links;
      const [b] = bob.links;
      if (!a || !b) throw new Error('each side should have one link');
      a.certs = { local: alice.certificate, remote: bob.certificate };
      b.certs = { local: bob.certificate, remote: alice.certificate };
      const codeAt = (call: FakeCall) => others(call)[0]?.safetyCode;
      // A code needs the other side's salt too: say `connected` until it has come.
      await until(() => {
        a.setState('connected');
        b.setState('connected');
        expect(codeAt(alice)).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
        expect(codeAt(bob)).toBe(codeAt(alice));
      });
      return { room, alice, bob, a, b, codeAt };
    }

    it('reads the verified certificates once when DTLS and the link come up together', async () => {
      const { alice, a } = await twoSessions();
      await until(() => expect(others(alice)[0]?.safetyCode).toBeDefined());
      await new Promise((r) => setTimeout(r, 20));
      const reads = a.certificateReads;
      a.dtlsUp();
      a.setState('connected');
      await until(() => expect(a.certificateReads).toBe(reads + 1));
      await new Promise((r) => setTimeout(r, 20));
      expect(a.certificateReads).toBe(reads + 1);
    });

    it('shows the same code at both ends once the link is up, unflagged and unverified', async () => {
      const { alice, bob } = await twoSessions();
      for (const call of [alice, bob]) {
        expect(others(call)[0]).toMatchObject({ safetyCodeChanged: false, verified: false, blocked: false });
        expect(call.session.state.codeAlerts).toEqual([]);
      }
    });

    it('flags at once a first code whose certificate is not the one its welcome committed to', async () => {
      const room = await newRoom();
      const alice = await joined(newCall(room, { name: 'Alice' }));
      const bob = await joined(newCall(room, { name: 'Bob' }));
      await until(() => expect(names(alice)).toEqual(['Alice', 'Bob']));
      const [a] = alice.links;
      if (!a) throw new Error('no link');
      a.certs = { local: alice.certificate, remote: 'f'.repeat(64) }; // someone else's certificate passed DTLS
      await until(() => {
        a.setState('connected');
        expect(others(alice)[0]?.safetyCodeChanged).toBe(true);
      });
      expect(alice.session.state.codeAlerts).toEqual([{ id: idOf(bob), name: 'Bob', blocked: false }]);
    });

    it('flags a code that changes, and names the person in an alert until it is dismissed', async () => {
      const { alice, bob, a, codeAt } = await twoSessions();
      const before = codeAt(alice);
      a.certs = { local: alice.certificate, remote: 'e'.repeat(64) };
      a.setState('connected');
      await until(() => expect(codeAt(alice)).not.toBe(before));
      expect(others(alice)[0]).toMatchObject({ safetyCodeChanged: true, blocked: false });
      expect(alice.session.state.codeAlerts).toEqual([{ id: idOf(bob), name: 'Bob', blocked: false }]);
      expect(a.blocks).toEqual([]);
      alice.session.dismissCodeAlert(idOf(bob));
      expect(alice.session.state.codeAlerts).toEqual([]);
      expect(others(alice)[0]?.safetyCodeChanged).toBe(true);
    });

    it('blocks a verified person whose code changes: no media either way until the new code is accepted', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const { alice, bob, a } = await twoSessions();
      alice.session.markVerified(idOf(bob), true);
      expect(others(alice)[0]).toMatchObject({ verified: true });
      a.certs = { local: alice.certificate, remote: 'd'.repeat(64) };
      // No event: the periodic check finds it, as it must after a DTLS restart in Chromium.
      vi.advanceTimersByTime(SAFETY_CHECK_MS);
      await until(() => expect(others(alice)[0]?.blocked).toBe(true));
      expect(a.blocks).toEqual([true]);
      expect(others(alice)[0]).toMatchObject({ verified: false, safetyCodeChanged: true, stream: null });
      expect(alice.session.state.codeAlerts).toEqual([{ id: idOf(bob), name: 'Bob', blocked: true }]);

      alice.session.acceptNewCode(idOf(bob));
      expect(a.blocks).toEqual([true, false]);
      expect(others(alice)[0]).toMatchObject({ blocked: false, verified: false, safetyCodeChanged: true });
      expect(alice.session.state.codeAlerts).toEqual([]);
    });

    it('follows a blocked person’s hand and recording without showing their chat, sends them nothing, and has both current once accepted', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const { alice, bob, a } = await twoSessions();
      const chat = chatChannel();
      a.remoteOpens(chat.rtc);
      const messages: string[] = [];
      alice.session.chat.on('message', (e) => messages.push(e.text));
      alice.session.markVerified(idOf(bob), true);
      a.certs = { local: alice.certificate, remote: 'd'.repeat(64) };
      vi.advanceTimersByTime(SAFETY_CHECK_MS);
      await until(() => expect(others(alice)[0]?.blocked).toBe(true));
      const sentBefore = chat.sent().length;

      // While blocked, Bob raises his hand, starts recording and writes; Alice raises her hand.
      chat.deliver({ type: 'hand', raised: true, stamp: 4 });
      chat.deliver({ type: 'recording', on: true });
      chat.deliver({ type: 'chat', id: crypto.randomUUID(), text: 'unseen', sentAt: 1 });
      alice.session.gestures.raiseHand();
      await until(() => expect(alice.session.gestures.state.hands[idOf(bob)]).toBe(1), 3_000); // first in line
      expect(others(alice)[0]).toMatchObject({ blocked: true, recording: true });
      expect(messages).toEqual([]);
      expect(chat.sent()).toHaveLength(sentBefore);

      // Accepted: Bob shows recording at once (the media he would record starts again now), and is told Alice's hand.
      alice.session.acceptNewCode(idOf(bob));
      expect(others(alice)[0]).toMatchObject({ blocked: false, recording: true });
      expect(alice.session.gestures.state.hands).toEqual({ [idOf(bob)]: 1, self: 2 });
      expect(chat.sent().slice(sentBefore)).toEqual([{ type: 'hand', raised: true, stamp: expect.any(Number) }]);
      chat.deliver({ type: 'chat', id: crypto.randomUUID(), text: 'seen', sentAt: 2 });
      await until(() => expect(messages).toEqual(['seen']), 3_000);
    });

    it('keeps a person marked verified through a relay restart, the same code and nothing flagged', async () => {
      const { room, alice, bob, a, codeAt } = await twoSessions();
      const code = codeAt(alice);
      alice.session.markVerified(idOf(bob), true);
      room.relay.restart();
      await until(() => expect(a.resyncs).toBe(1));
      const reads = a.certificateReads;
      a.setState('connected');
      await until(() => expect(a.certificateReads).toBeGreaterThan(reads));
      expect(others(alice)[0]).toMatchObject({ safetyCode: code, verified: true, safetyCodeChanged: false, blocked: false });
    });
  });

  describe('tampering', () => {
    it(`warns of tampering after ${TAMPER_WARNING_AFTER} refused messages (altered, replayed, forged), not before`, async () => {
      const { room, alice, bob } = await aliceWithBob();
      const refused = refusals();
      const self = alice.signaling.self;
      const genuine = room.relay.frames.find((f) => f.from === bob.peer);
      if (!genuine || self === undefined) throw new Error('Bob said nothing to Alice');
      // Altered: one character of the sealed bytes changed.
      const i = genuine.data.length - 5;
      const flipped = genuine.data.slice(0, i) + (genuine.data[i] === 'A' ? 'B' : 'A') + genuine.data.slice(i + 1);
      room.relay.deliver({ ...genuine, data: flipped });
      // Replayed: the genuine frame again.
      room.relay.deliver(genuine);
      await until(() => expect(refused()).toBe(2));
      expect(alice.session.state.alert).toBeUndefined();
      // Forged: not an envelope at all.
      room.relay.deliver({ from: bob.peer, to: self, data: 'd.bm90IHNlYWxlZA' });
      await until(() => expect(alice.session.state.alert?.code).toBe('TAMPERING'));
      expect(refused()).toBe(3);
      expect(alice.session.state.alert?.message).toBe(String(TAMPER_WARNING_AFTER));
      // The call goes on.
      expect(names(alice)).toEqual(['Alice', 'Bob']);
      expect(alice.session.state.phase).toBe('inCall');
    });

    it('counts on past the warning', async () => {
      const { room, alice, bob } = await aliceWithBob();
      const refused = refusals();
      for (let n = 0; n < TAMPER_WARNING_AFTER + 2; n++)
        room.relay.deliver({ from: bob.peer, to: alice.signaling.self, data: `junk ${n}` });
      await until(() => expect(alice.session.state.alert?.message).toBe(String(TAMPER_WARNING_AFTER + 2)));
      expect(refused()).toBe(TAMPER_WARNING_AFTER + 2);
    });
  });

  describe('hands and reactions', () => {
    it('tells a participant its raised hand once their chat channel arrives, and queues theirs behind it', async () => {
      const { alice, bob } = await aliceWithBob();
      alice.session.gestures.raiseHand();
      const chat = chatChannel();
      alice.links[0]!.remoteOpens(chat.rtc);
      expect(chat.sent()).toEqual([{ type: 'hand', raised: true, stamp: 1 }]);
      chat.deliver({ type: 'hand', raised: true, stamp: 2 });
      await until(() => expect(alice.session.gestures.state.hands).toEqual({ self: 1, [bob.participant]: 2 }));
      bob.leave();
      await until(() => expect(alice.session.gestures.state.hands).toEqual({ self: 1 }));
    });

    it('closes the chat channel a newer one replaces on the same link, and goes on with the newer', async () => {
      const { alice, bob } = await aliceWithBob();
      const first = chatChannel();
      const second = chatChannel();
      alice.links[0]!.remoteOpens(first.rtc);
      alice.links[0]!.remoteOpens(second.rtc);
      expect([first.closed(), second.closed()]).toEqual([true, false]);
      first.deliver({ type: 'hand', raised: true, stamp: 1 });
      second.deliver({ type: 'hand', raised: true, stamp: 2 });
      await until(() => expect(alice.session.gestures.state.hands).toEqual({ [bob.participant]: 1 }));
      // Only the newer is told Alice's hand.
      alice.session.gestures.raiseHand();
      expect(second.sent()).toEqual([{ type: 'hand', raised: true, stamp: expect.any(Number) }]);
      expect(first.sent()).toEqual([]);
    });

    it('shows a participant’s reaction under their id, and drops a malformed one', async () => {
      const { alice, bob } = await aliceWithBob();
      const chat = chatChannel();
      alice.links[0]!.remoteOpens(chat.rtc);
      chat.deliver({ type: 'reaction', reaction: 'rocket' });
      chat.deliver({ type: 'reaction', reaction: 'clap' });
      await until(() => expect(alice.session.gestures.state.reactions[bob.participant]?.map((r) => r.reaction)).toEqual(['clap']));
    });
  });
});
