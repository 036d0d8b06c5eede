import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_ICE_SERVERS,
  DEFAULT_PROFILE,
  UPLOAD_BUDGET_RANGE_KBPS,
  VIDEO_HEIGHTS,
  defaultSettings,
  displayName,
  guestName,
  isRelayUrl,
  isUploadBudget,
  isVideoHeight,
  parseDevicePrefs,
  parseIceServers,
  parseProfile,
  parseSettings,
} from '../../../../extension/session/settings.ts';
import { cleanName } from '../../../../protocol/text.ts';

// vite defines __ZING_DEFAULT_RELAY_URL__ at build time; vitest does not.
const FALLBACK_RELAY = 'http://127.0.0.1:8787';

describe('parseProfile', () => {
  it('reads a stored profile', () => {
    expect(
      parseProfile({
        name: 'Ada',
        guestName: 'Guest 4821',
        micMuted: true,
        cameraOff: true,
        singleKeyShortcuts: false,
        noiseSuppression: false,
        blurBackground: true,
      }),
    ).toEqual({
      name: 'Ada',
      guestName: 'Guest 4821',
      micMuted: true,
      cameraOff: true,
      singleKeyShortcuts: false,
      noiseSuppression: false,
      blurBackground: true,
    });
  });

  it.each([undefined, null, 'Ada', 7, ['Ada']])('falls back to the default profile for %j', (v) => {
    expect(parseProfile(v)).toEqual(DEFAULT_PROFILE);
  });

  it('returns a copy, so changing it cannot change the default', () => {
    const profile = parseProfile(undefined);
    profile.name = 'changed';
    expect(DEFAULT_PROFILE.name).toBe('');
  });

  it('treats anything but a literal true as not muted and camera on', () => {
    expect(parseProfile({ name: 'Ada', micMuted: 'true', cameraOff: 1 })).toEqual({
      name: 'Ada',
      guestName: '',
      micMuted: false,
      cameraOff: false,
      singleKeyShortcuts: true,
      noiseSuppression: true,
      blurBackground: false,
    });
  });

  it('keeps single-key shortcuts on unless they were switched off with a literal false', () => {
    expect(parseProfile({ name: 'Ada' }).singleKeyShortcuts).toBe(true);
    expect(parseProfile({ name: 'Ada', singleKeyShortcuts: 0 }).singleKeyShortcuts).toBe(true);
    expect(parseProfile({ name: 'Ada', singleKeyShortcuts: false }).singleKeyShortcuts).toBe(false);
  });

  it('keeps noise suppression on unless it was switched off with a literal false', () => {
    expect(parseProfile({ name: 'Ada' }).noiseSuppression).toBe(true);
    expect(parseProfile({ name: 'Ada', noiseSuppression: 'false' }).noiseSuppression).toBe(true);
    expect(parseProfile({ name: 'Ada', noiseSuppression: false }).noiseSuppression).toBe(false);
  });

  it('keeps background blur off unless it was switched on with a literal true', () => {
    expect(parseProfile({ name: 'Ada' }).blurBackground).toBe(false);
    expect(parseProfile({ name: 'Ada', blurBackground: 'true' }).blurBackground).toBe(false);
    expect(parseProfile({ name: 'Ada', blurBackground: true }).blurBackground).toBe(true);
  });

  it('cleans the stored name and drops fields it does not know', () => {
    expect(parseProfile({ name: '  Ada  ', admin: true })).toEqual({
      name: 'Ada',
      guestName: '',
      micMuted: false,
      cameraOff: false,
      singleKeyShortcuts: true,
      noiseSuppression: true,
      blurBackground: false,
    });
  });
});

describe('the picked guest name', () => {
  it('keeps a picked guest name beside an empty typed name', () => {
    expect(parseProfile({ name: '', guestName: 'Guest 4821' })).toMatchObject({ name: '', guestName: 'Guest 4821' });
  });

  it('moves a guest name saved as the typed name (older versions did) back to the placeholder', () => {
    expect(parseProfile({ name: 'Guest 4821' })).toMatchObject({ name: '', guestName: 'Guest 4821' });
  });

  it('leaves a typed name that only looks like a guest name where a guest name was already picked', () => {
    expect(parseProfile({ name: 'Guest 1234', guestName: 'Guest 4821' })).toMatchObject({ name: 'Guest 1234', guestName: 'Guest 4821' });
  });

  it.each([['Mallory'], [''], [42], ['Guest 12'], ['Guest 0123'], ['Guest 4821 ']])(
    'forgets a stored guest name %j that Zing never picks',
    (v) => {
      expect(parseProfile({ name: 'Ada', guestName: v }).guestName).toBe('');
    },
  );

  it('shows the typed name, else the guest name, else Guest', () => {
    expect(displayName({ name: 'Ada', guestName: 'Guest 4821' })).toBe('Ada');
    expect(displayName({ name: '', guestName: 'Guest 4821' })).toBe('Guest 4821');
    expect(displayName({ name: '', guestName: '' })).toBe('Guest');
  });
});

describe('isRelayUrl', () => {
  it.each(['http://127.0.0.1:8787', 'https://relay.example', 'https://relay.example/', 'http://[::1]:8787'])(
    'accepts the origin %s',
    (v) => {
      expect(isRelayUrl(v)).toBe(true);
    },
  );

  it.each([
    ['a path', 'https://relay.example/zing'],
    ['a query', 'https://relay.example/?x=1'],
    ['a fragment', 'https://relay.example/#x'],
    ['the ws: scheme', 'ws://relay.example'],
    ['the ftp: scheme', 'ftp://relay.example'],
    ['no scheme', 'relay.example'],
    ['an empty string', ''],
  ])('refuses an address with %s', (_what, v) => {
    expect(isRelayUrl(v)).toBe(false);
  });

  it.each([undefined, null, 8787, {}])('refuses the non-string %j', (v) => {
    expect(isRelayUrl(v)).toBe(false);
  });
});

describe('parseIceServers', () => {
  it('accepts an empty list (host candidates only)', () => {
    expect(parseIceServers([])).toEqual({ ok: true, servers: [] });
  });

  it('accepts stun:, stuns:, turn: and turns: addresses, as a string or a list', () => {
    const input = [
      { urls: 'stun:stun.example:3478' },
      { urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349'], username: 'u', credential: 'c' },
      { urls: 'stuns:stun.example' },
    ];
    expect(parseIceServers(input)).toEqual({ ok: true, servers: input });
  });

  it('keeps only string credentials and drops unknown fields', () => {
    expect(parseIceServers([{ urls: 'stun:s.example', username: 5, credential: 'c', extra: 'x' }])).toEqual({
      ok: true,
      servers: [{ urls: 'stun:s.example', credential: 'c' }],
    });
  });

  it('refuses a TURN server without a string username and credential, naming the entry', () => {
    for (const entry of [{ urls: 'turn:t.example' }, { urls: ['turns:t.example'], username: 5, credential: 'c' }]) {
      const result = parseIceServers([{ urls: 'stun:s.example' }, entry]);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/entry 2 .*username.*credential/);
    }
  });

  it('asks for a JSON list when given something else', () => {
    for (const v of [undefined, null, 'stun:x', { urls: 'stun:x' }]) {
      const result = parseIceServers(v);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/JSON list/);
    }
  });

  it.each([
    ['not an object', ['stun:x'], 'entry 1 is not an object'],
    ['without urls', [{ username: 'u' }], 'entry 1 needs "urls"'],
    ['with an empty urls list', [{ urls: [] }], 'entry 1 needs "urls"'],
    ['with an http: url', [{ urls: 'stun:ok' }, { urls: 'http://x' }], 'entry 2 needs "urls"'],
    ['with white space inside a url', [{ urls: 'stun:a b' }], 'entry 1 needs "urls"'],
    ['with one bad url in a list', [{ urls: ['stun:ok', 'nope'] }], 'entry 1 needs "urls"'],
    ['with a url that is not a string', [{ urls: [3478] }], 'entry 1 needs "urls"'],
  ])('names the first bad entry: one %s', (_what, v, reason) => {
    const result = parseIceServers(v);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('defaultSettings', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('falls back to a relay on this machine when the build defined none', () => {
    expect(defaultSettings().relayUrl).toBe(FALLBACK_RELAY);
    expect(isRelayUrl(defaultSettings().relayUrl)).toBe(true);
  });

  it('uses the relay the build defined', () => {
    vi.stubGlobal('__ZING_DEFAULT_RELAY_URL__', 'https://relay.example');
    expect(defaultSettings().relayUrl).toBe('https://relay.example');
  });

  it('offers a public STUN server by default, and every default passes its own check', () => {
    const defaults = defaultSettings();
    expect(defaults.iceServers).toEqual(DEFAULT_ICE_SERVERS);
    expect(parseIceServers(defaults.iceServers)).toEqual({ ok: true, servers: DEFAULT_ICE_SERVERS });
    expect(isUploadBudget(defaults.uploadBudgetKbps)).toBe(true);
    expect(isVideoHeight(defaults.maxVideoHeight)).toBe(true);
  });

  it('reads back unchanged through parseSettings', () => {
    expect(parseSettings(defaultSettings())).toEqual(defaultSettings());
  });
});

describe('isUploadBudget', () => {
  const { min, max } = UPLOAD_BUDGET_RANGE_KBPS;

  it('accepts whole kbps from the minimum to the maximum, both included', () => {
    for (const v of [min, 2_500, max]) expect(isUploadBudget(v)).toBe(true);
  });

  it.each([min - 1, max + 1, 2_500.5, Number.NaN, Infinity, '2500', null])('refuses %j', (v) => {
    expect(isUploadBudget(v)).toBe(false);
  });
});

describe('isVideoHeight', () => {
  it('accepts every height offered', () => {
    for (const h of VIDEO_HEIGHTS) expect(isVideoHeight(h)).toBe(true);
  });

  it.each([1080, 480, 0, '720', null])('refuses %j', (v) => {
    expect(isVideoHeight(v)).toBe(false);
  });
});

describe('parseSettings', () => {
  const stored = {
    relayUrl: 'https://relay.example',
    iceServers: [{ urls: 'stun:s.example' }],
    uploadBudgetKbps: 1_000,
    maxVideoHeight: 360,
    relayOnly: true,
    askForFilesAboveBytes: 5_000_000,
    maxRecordingBytes: 1_000_000,
  };

  it('reads stored settings', () => {
    expect(parseSettings(stored)).toEqual(stored);
  });

  it.each([undefined, null, 'https://relay.example', []])('falls back to the defaults for %j', (v) => {
    expect(parseSettings(v)).toEqual(defaultSettings());
  });

  it('falls back for missing fields', () => {
    expect(parseSettings({})).toEqual(defaultSettings());
  });

  it.each([
    ['relayUrl', 'ws://relay.example'],
    ['iceServers', [{ urls: 'http://x' }]],
    ['uploadBudgetKbps', 5],
    ['maxVideoHeight', 1080],
    ['relayOnly', 'true'],
    ['askForFilesAboveBytes', -1],
    ['askForFilesAboveBytes', 1.5],
    ['askForFilesAboveBytes', 2 ** 30 + 1],
  ] as const)('falls back for a bad %s alone and keeps the other fields', (field, bad) => {
    expect(parseSettings({ ...stored, [field]: bad })).toEqual({ ...stored, [field]: defaultSettings()[field] });
  });

  it('sends media directly unless relayOnly is literally true', () => {
    expect(defaultSettings().relayOnly).toBe(false);
    for (const v of [undefined, 1, 'yes', {}]) expect(parseSettings({ ...stored, relayOnly: v }).relayOnly).toBe(false);
  });

  it('reads a stored -0 as 0, so the settings come through a JSON copy as they were', () => {
    // A structured clone keeps -0 where JSON gives 0; -0 is a valid size (nothing is below it) to read as 0.
    expect(Object.is(parseSettings({ ...stored, askForFilesAboveBytes: -0 }).askForFilesAboveBytes, 0)).toBe(true);
  });

  it('keeps an empty ICE list rather than restoring the public STUN server', () => {
    expect(parseSettings({ ...stored, iceServers: [] }).iceServers).toEqual([]);
  });
});

describe('guestName', () => {
  it('gives Guest 1000 for the lowest random number', () => {
    expect(guestName(() => 0)).toBe('Guest 1000');
  });

  it('gives Guest 9999 for the highest random number below 1', () => {
    expect(guestName(() => 1 - Number.EPSILON)).toBe('Guest 9999');
  });

  it('spreads evenly in between', () => {
    expect(guestName(() => 0.5)).toBe('Guest 5500');
  });

  it('always yields a four-digit name that survives cleanName unchanged', () => {
    for (let i = 0; i < 200; i++) {
      const name = guestName();
      expect(name).toMatch(/^Guest [1-9]\d{3}$/);
      expect(cleanName(name)).toBe(name);
    }
  });
});

describe('parseDevicePrefs', () => {
  it('reads the remembered camera, microphone and speaker', () => {
    const stored = { camera: { id: 'c1', label: 'Webcam' }, microphone: { id: 'm1', label: 'Headset' }, speaker: { id: 's1', label: '' } };
    expect(parseDevicePrefs(stored)).toEqual(stored);
  });

  it('forgets a damaged choice and keeps the others', () => {
    expect(parseDevicePrefs({ camera: { id: '', label: 'x' }, microphone: { id: 'm1', label: 'Headset' }, speaker: 'x' })).toEqual({
      microphone: { id: 'm1', label: 'Headset' },
    });
  });

  it('forgets an id far longer than any browser makes', () => {
    expect(parseDevicePrefs({ camera: { id: 'x'.repeat(257), label: '' } })).toEqual({});
  });

  it('cleans a label of control and bidi characters and keeps a missing one empty', () => {
    expect(parseDevicePrefs({ camera: { id: 'c1', label: 'Web\u202ecam\n' }, speaker: { id: 's1' } })).toEqual({
      camera: { id: 'c1', label: 'Web cam' },
      speaker: { id: 's1', label: '' },
    });
  });

  it.each([undefined, null, 'camera', [1]])('reads %j as nothing remembered', (v) => {
    expect(parseDevicePrefs(v)).toEqual({});
  });
});
