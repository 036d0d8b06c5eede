// fast-check arbitraries the parser properties share: hostile text, and valid
// frames mutated the ways a broken or malicious peer would (a field removed,
// retyped or cut short, fields added, another type tag).
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Runs per property: fast-check's default. Every run draws a fresh seed, so runs
 * add up across test runs, and a failure prints the seed that replays it. All
 * properties together take about a second on an idle 2-core machine; while
 * writing them each ran 5,000 times.
 */
export const RUNS = 100;

/** Any UTF-16 code unit, lone surrogates included: what a JavaScript string can hold, not only what Unicode allows. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));

/** Characters that break naive text handling: controls, bidi controls, line separators, BOM, surrogates. */
const trickyChar = fc.constantFrom(
  '\u0000',
  '\n',
  '\u0085',
  '\u009b',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud83d',
  '\ude00',
  '😀',
  '/',
  '\\',
  '.',
  ' ',
  '\u00a0',
  '"',
);

const textUnit = fc.oneof(anyCodeUnit, trickyChar, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));

/** A string of any code units, weighted towards the characters that break text handling. */
export const hostileString = (constraints: { maxLength?: number; minLength?: number } = {}): fc.Arbitrary<string> =>
  fc.string({ ...constraints, unit: textUnit });

/** Any text a socket or a data channel could deliver: random strings, JSON of any shape, and cut-off JSON. */
export const anyFrame: fc.Arbitrary<string> = fc.oneof(
  hostileString(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.tuple(fc.json(), fc.nat()).map(([text, cut]) => text.slice(0, cut % (text.length + 1))),
);

/**
 * A JSON object whose `type` is one of `tags` and whose other fields are drawn
 * from `fields` with values of any JSON type: reaches every branch of a parser,
 * which a random string almost never does.
 */
export const frameLike = (tags: readonly string[], fields: readonly string[], typeKey = 'type'): fc.Arbitrary<Record<string, Json>> =>
  fc
    .tuple(fc.constantFrom(...tags), fc.dictionary(fc.constantFrom(...fields), jsonValue))
    .map(([tag, rest]) => ({ ...rest, [typeKey]: tag }));

/** Any JSON value, its keys and strings drawn from hostile characters too. */
export const jsonValue: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3, stringUnit: textUnit }) as fc.Arbitrary<Json>; // JsonValue is this union

export type Path = readonly (string | number)[];

/** The path of every value inside `v`, the root excluded. */
function pathsOf(v: Json, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((item, i) => [[...at, i], ...pathsOf(item, [...at, i])]);
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, item]) => [[...at, k], ...pathsOf(item, [...at, k])]);
  return [];
}

/** The path of every object inside `v`, the root included. */
function objectPathsOf(v: Json): Path[] {
  return [[], ...pathsOf(v)].filter((p) => {
    const node = get(v, p);
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });
}

function get(v: Json, path: Path): Json | undefined {
  let node: Json | undefined = v;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = Array.isArray(node) ? node[key as number] : node[key as string]; // arrays are indexed by number, objects by string keys
  }
  return node;
}

/** A copy of `root` with the value at `path` replaced (`undefined` removes it). */
function withValueAt(root: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(root);
  const parent = get(copy, path.slice(0, -1));
  const key = path.at(-1);
  if (key === undefined || parent === null || typeof parent !== 'object') return copy;
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(key as number, 1);
    else parent[key as number] = value; // arrays are indexed by number
  } else if (value === undefined) {
    delete parent[key as string];
  } else {
    // Own property even for "__proto__", as JSON.parse would make it.
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

export type Mutation = 'removed' | 'retyped' | 'truncated' | 'extra' | 'tag';

export interface Mutated {
  kind: Mutation;
  /** Where the change was made. */
  path: Path;
  value: Json;
}

export interface MutationOptions {
  /** Type tags of the other messages the parser knows. */
  otherTags?: readonly string[];
  /** Field names the parser reads anywhere: an `extra` field never takes one of these. */
  known?: readonly string[];
  /** Where the type tag sits: `['type']` for most frames, `['msg', 'type']` for a sealed payload, null for none. */
  typePath?: Path | null;
}

/**
 * `valid` changed in one place, the way a broken or hostile peer might: a value
 * removed, given another type, a string cut short, a field the parser does not
 * know added to any object, or the type tag swapped for another known tag or any string.
 */
export function mutated(valid: Json, { otherTags = [], known = [], typePath = ['type'] }: MutationOptions = {}): fc.Arbitrary<Mutated> {
  const change = (kind: Mutation, path: Path, value: Json | undefined): Mutated => ({ kind, path, value: withValueAt(valid, path, value) });
  const paths = pathsOf(valid);
  const strings = paths.filter((p) => typeof get(valid, p) === 'string');
  const options: fc.Arbitrary<Mutated>[] = [
    fc.constantFrom(...objectPathsOf(valid)).chain((at) =>
      fc
        .tuple(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString')), jsonValue)
        .filter(([key]) => key !== 'type' && !known.includes(key) && get(valid, [...at, key]) === undefined)
        .map(([key, value]) => change('extra', [...at, key], value)),
    ),
  ];
  if (typePath !== null) {
    options.push(fc.oneof(fc.constantFrom(...otherTags, ''), fc.string()).map((tag) => change('tag', typePath, tag)));
  }
  if (paths.length > 0) {
    const path = fc.constantFrom(...paths);
    options.push(path.map((p) => change('removed', p, undefined)));
    options.push(
      fc
        .tuple(path, jsonValue)
        .filter(([p, value]) => typeOf(value) !== typeOf(get(valid, p) ?? null))
        .map(([p, value]) => change('retyped', p, value)),
    );
  }
  if (strings.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...strings), fc.nat()).map(([p, cut]) => {
        const text = get(valid, p) as string; // picked from the string paths
        return change('truncated', p, text.slice(0, cut % (text.length + 1)));
      }),
    );
  }
  return fc.oneof(...options);
}

const typeOf = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
