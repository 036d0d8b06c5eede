// The web build's stand-in for webextension-polyfill: a guest without Zing has
// no extension storage, so the call page keeps its name and preferences in
// localStorage behind the same calls. Only what session/storage.ts uses.
type Change = { oldValue?: unknown; newValue?: unknown };
type Listener = (changes: Record<string, Change>, area: string) => void;

const PREFIX = 'zing:';
const listeners = new Set<Listener>();

function read(key: string): unknown {
  const raw = localStorage.getItem(PREFIX + key);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

const local = {
  async get(key: string): Promise<Record<string, unknown>> {
    const value = read(key);
    return value === undefined ? {} : { [key]: value };
  },
  async set(items: Record<string, unknown>): Promise<void> {
    const changes: Record<string, Change> = {};
    for (const [key, newValue] of Object.entries(items)) {
      changes[key] = { oldValue: read(key), newValue };
      localStorage.setItem(PREFIX + key, JSON.stringify(newValue));
    }
    for (const l of listeners) l(changes, 'local');
  },
};

// Another tab of the same guest (same origin) saved something.
addEventListener('storage', (e) => {
  if (!e.key?.startsWith(PREFIX)) return;
  const parse = (v: string | null) => (v === null ? undefined : (JSON.parse(v) as unknown));
  const changes = { [e.key.slice(PREFIX.length)]: { oldValue: parse(e.oldValue), newValue: parse(e.newValue) } };
  for (const l of listeners) l(changes, 'local');
});

const browser = {
  storage: {
    local,
    onChanged: {
      addListener: (l: Listener) => void listeners.add(l),
      removeListener: (l: Listener) => void listeners.delete(l),
    },
  },
};

export default browser;
