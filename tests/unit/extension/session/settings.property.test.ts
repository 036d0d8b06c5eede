// Properties of the parsers for what extension storage and the options page
// hand back: whatever is stored or typed, a usable profile and settings (or a
// reason in words), never a throw; what was saved comes back as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultSettings,
  isAskAboveBytes,
  isGuestName,
  isRecordingLimit,
  isRelayUrl,
  isUploadBudget,
  isVideoHeight,
  MAX_DEVICE_ID_LENGTH,
  MIN_RECORDING_BYTES,
  parseDevicePrefs,
  parseIceServers,
  parseProfile,
  parseSettings,
  type Profile,
  type Settings,
  UPLOAD_BUDGET_RANGE_KBPS,
  VIDEO_HEIGHTS,
} from '../../../../extension/session/settings.ts';
import { MAX_RECORDING_BYTES } from '../../../../extension/session/recording-state.ts';
import { cleanName, cleanReason } from '../../../../protocol/text.ts';
import { hostileString, type Json, jsonValue, mutated, RUNS } from '../../../support/arbitraries.ts';

/** What storage could hold: JSON of any shape, and the other values structured clone keeps. */
const stored = fc.oneof(jsonValue, fc.anything());

const name = fc.oneof(hostileString({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 })).map(cleanName);
const pickedGuestName = fc.integer({ min: 1000, max: 9999 }).map((n) => `Guest ${n}`);
const profile: fc.Arbitrary<Profile> = fc
  .record({
    name,
    guestName: fc.oneof(fc.constant(''), pickedGuestName),
    micMuted: fc.boolean(),
    cameraOff: fc.boolean(),
    singleKeyShortcuts: fc.boolean(),
    noiseSuppression: fc.boolean(),
    blurBackground: fc.boolean(),
  })
  // A guest name saved as the name with none picked is the old bug, which parseProfile repairs (settings.test.ts).
  .filter((p) => p.guestName !== '' || !isGuestName(p.name));

const host = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,9}(\.[a-z]{2,6}){0,2}$/), fc.constantFrom('127.0.0.1', '[::1]'));
const relayUrl = fc
  .tuple(fc.constantFrom('http', 'https'), host, fc.constantFrom('', ':8787', ':443'), fc.constantFrom('', '/'))
  .map(([scheme, h, port, slash]) => `${scheme}://${h}${port}${slash}`);
const iceUrl = fc
  .tuple(fc.constantFrom('stun', 'stuns', 'turn', 'turns'), fc.stringMatching(/^[^\s]{1,20}$/))
  .map(([scheme, rest]) => `${scheme}:${rest}`);
const iceServer: fc.Arbitrary<RTCIceServer> = fc
  .record(
    { urls: fc.oneof(iceUrl, fc.array(iceUrl, { minLength: 1, maxLength: 3 })), username: fc.string(), credential: fc.string() },
    { requiredKeys: ['urls'] },
  )
  .filter((s) => {
    const urls = typeof s.urls === 'string' ? [s.urls] : s.urls;
    return !urls.some((u) => /^turns?:/.test(u)) || (s.username !== undefined && s.credential !== undefined);
  });
const settings: fc.Arbitrary<Settings> = fc.record({
  relayUrl,
  iceServers: fc.array(iceServer, { maxLength: 4 }),
  uploadBudgetKbps: fc.integer(UPLOAD_BUDGET_RANGE_KBPS),
  maxVideoHeight: fc.constantFrom(...VIDEO_HEIGHTS),
  relayOnly: fc.boolean(),
  askForFilesAboveBytes: fc.integer({ min: 0, max: 2 ** 30 }),
  maxRecordingBytes: fc.integer({ min: MIN_RECORDING_BYTES, max: MAX_RECORDING_BYTES }),
});

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;
const SETTINGS_FIELDS = [
  'relayUrl',
  'iceServers',
  'uploadBudgetKbps',
  'maxVideoHeight',
  'relayOnly',
  'askForFilesAboveBytes',
  'maxRecordingBytes',
] as const;
const ICE_SERVER_FIELDS = ['urls', 'username', 'credential'];
const PROFILE_FIELDS = ['name', 'guestName', 'micMuted', 'cameraOff', 'singleKeyShortcuts', 'noiseSuppression', 'blurBackground'];
/** Fields no parser here reads. */
const extraFields = (known: readonly string[]) =>
  fc.dictionary(
    fc.string().filter((k) => !known.includes(k)),
    jsonValue,
  );
/** Saved as storage would keep it: through JSON. */
const throughJson = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));

function expectUsableSettings(s: Settings): void {
  expect(Object.keys(s).sort()).toEqual([...SETTINGS_FIELDS].sort());
  expect(isRelayUrl(s.relayUrl)).toBe(true);
  expect(parseIceServers(s.iceServers)).toEqual({ ok: true, servers: s.iceServers });
  expect(isUploadBudget(s.uploadBudgetKbps)).toBe(true);
  expect(isVideoHeight(s.maxVideoHeight)).toBe(true);
  expect(typeof s.relayOnly).toBe('boolean');
  expect(isAskAboveBytes(s.askForFilesAboveBytes)).toBe(true);
  expect(isRecordingLimit(s.maxRecordingBytes)).toBe(true);
}

describe('parseProfile', () => {
  it('never throws on anything stored, and gives a clean name and its booleans', () => {
    const profileLike = fc.record(
      {
        name: fc.oneof(hostileString(), jsonValue),
        guestName: fc.oneof(pickedGuestName, stored),
        micMuted: stored,
        cameraOff: stored,
        singleKeyShortcuts: stored,
        noiseSuppression: stored,
        blurBackground: stored,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(stored, profileLike), (v) => {
        const p = parseProfile(v);
        expect(Object.keys(p).sort()).toEqual([...PROFILE_FIELDS].sort());
        expect(cleanName(p.name)).toBe(p.name);
        expect(p.guestName === '' || isGuestName(p.guestName)).toBe(true);
        for (const flag of [p.micMuted, p.cameraOff, p.singleKeyShortcuts, p.noiseSuppression, p.blurBackground])
          expect(typeof flag).toBe('boolean');
        expect(parseProfile(throughJson(p))).toEqual(p);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every saved profile as it was, extra fields left behind', () => {
    fc.assert(
      fc.property(profile, extraFields(PROFILE_FIELDS), (p, extra) => {
        expect(parseProfile(throughJson(p))).toEqual(p);
        expect(parseProfile(throughJson({ ...extra, ...p }))).toEqual(p);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseSettings', () => {
  it('never throws on anything stored, and gives settings that are all usable', () => {
    const settingsLike = fc.record(
      {
        relayUrl: stored,
        iceServers: fc.oneof(stored, fc.array(fc.oneof(iceServer, stored))),
        uploadBudgetKbps: stored,
        maxVideoHeight: stored,
        relayOnly: stored,
        askForFilesAboveBytes: stored,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(stored, settingsLike), (v) => {
        const s = parseSettings(v);
        expectUsableSettings(s);
        expect(parseSettings(throughJson(s))).toEqual(s);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every saved setting as it was', () => {
    fc.assert(
      fc.property(settings, (s) => {
        expect(parseSettings(throughJson(s))).toEqual(s);
      }),
      { numRuns: RUNS },
    );
  });

  it('replaces only what was damaged with its default, keeping every other setting', () => {
    const mutation = settings.chain(
      (s) =>
        mutated(throughJson(s) as Json, { known: [...SETTINGS_FIELDS, ...ICE_SERVER_FIELDS], typePath: null }).map((m) => ({ s, ...m })), // settings are plain JSON
    );
    const defaults = defaultSettings();
    fc.assert(
      fc.property(mutation, ({ s, kind, path, value }) => {
        const parsed = parseSettings(value);
        expectUsableSettings(parsed);
        if (kind === 'extra') expect(parsed).toEqual(s);
        const sent = value as Record<string, unknown>; // the mutated settings are still an object
        for (const key of SETTINGS_FIELDS) {
          if (key !== path[0]) expect(parsed[key]).toEqual(s[key]);
          // The damaged setting is kept as it is if still valid (a URL cut short can still be one), else its default.
          else if (key !== 'iceServers') expect([sent[key], defaults[key]]).toContainEqual(parsed[key]);
          else expect(parsed.iceServers === defaults.iceServers || parseIceServers(sent.iceServers).ok).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseIceServers', () => {
  it('never throws on anything typed or stored, and gives usable servers or a reason in words', () => {
    const listLike = fc.array(
      fc.oneof(iceServer, fc.record({ urls: fc.oneof(stored, iceUrl), username: stored, credential: stored }), stored),
      {
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(fc.oneof(stored, listLike), (v) => {
        const result = parseIceServers(v);
        if (!result.ok) {
          expect(result.reason).toMatch(/^\S/);
          return;
        }
        for (const server of result.servers) {
          expect(Object.keys(server).every((k) => ICE_SERVER_FIELDS.includes(k))).toBe(true);
          const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
          expect(urls.length).toBeGreaterThan(0);
          for (const url of urls) expect(url).toMatch(ICE_URL);
          if (urls.some((u) => /^turns?:/.test(u))) {
            expect(typeof server.username).toBe('string');
            expect(typeof server.credential).toBe('string');
          }
        }
        expect(parseIceServers(throughJson(result.servers))).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every valid list as it was, extra fields left behind', () => {
    fc.assert(
      fc.property(fc.array(iceServer, { maxLength: 4 }), extraFields(ICE_SERVER_FIELDS), (servers, extra) => {
        expect(parseIceServers(throughJson(servers))).toEqual({ ok: true, servers });
        const withExtra = servers.map((s) => ({ ...extra, ...s }));
        expect(parseIceServers(throughJson(withExtra))).toEqual({ ok: true, servers });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseDevicePrefs', () => {
  const choice = fc.record({
    id: fc.string({ minLength: 1, maxLength: 64 }),
    label: fc.oneof(hostileString({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 })).map((l) => cleanReason(l).trim()),
  });
  const prefs = fc.record({ camera: choice, microphone: choice, speaker: choice }, { requiredKeys: [] });

  it('never throws on anything stored, and keeps only choices with a usable id and a clean label', () => {
    const prefsLike = fc.record({ camera: stored, microphone: stored, speaker: stored }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(stored, prefsLike, fc.record({ camera: fc.record({ id: hostileString(), label: hostileString() }) })), (v) => {
        const p = parseDevicePrefs(v);
        for (const key of Object.keys(p)) expect(['camera', 'microphone', 'speaker']).toContain(key);
        for (const c of Object.values(p)) {
          expect(c.id.length).toBeGreaterThan(0);
          expect(c.id.length).toBeLessThanOrEqual(MAX_DEVICE_ID_LENGTH);
          expect(c.label).not.toMatch(/[\p{Cc}\p{Bidi_Control}]/u);
        }
        expect(parseDevicePrefs(throughJson(p))).toEqual(p);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives back every saved choice as it was, extra fields left behind', () => {
    fc.assert(
      fc.property(prefs, extraFields(['camera', 'microphone', 'speaker']), (p, extra) => {
        expect(parseDevicePrefs(throughJson(p))).toEqual(p);
        expect(parseDevicePrefs(throughJson({ ...extra, ...p }))).toEqual(p);
      }),
      { numRuns: RUNS },
    );
  });
});
