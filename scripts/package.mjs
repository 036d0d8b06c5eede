// Turns the built extension into store-ready zips:
//   dist/zing-chrome-<version>.zip   for the Chrome Web Store
//   dist/zing-firefox-<version>.zip  for addons.mozilla.org
// Run after `npm run build` (`npm run package` does both). The zips are
// reproducible: files in sorted order, one fixed timestamp, no directory entries.
// A tiny zip writer on node:zlib rather than a dependency: stored and
// deflated entries are all a store needs (PKWARE APPNOTE.TXT, sections 4.3–4.4).
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// 1980-01-01 00:00, the earliest MS-DOS date: the same bytes on every build.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800; // general-purpose flag bit 11: names are UTF-8
const UNIX_FILE_644 = (0o100644 << 16) >>> 0; // external attributes: a regular file, rw-r--r--

/** Every file under `dir`, as zip names with forward slashes, sorted; dotfiles (e.g. .vite/) left out. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** A zip archive of `entries` ([name, bytes]), each deflated unless that makes it larger. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(data, { level: 9 });
    const [method, body] = deflated.length < data.length ? [8, deflated] : [0, data];
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28); // no extra field
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header signature
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0, so the attributes below are read as mode bits
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    // extra length, comment length, disk number, internal attributes: all 0 (bytes 30–37)
    central.writeUInt32LE(UNIX_FILE_644, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  // No zip64: an extension is far below 65,535 files and 4 GiB.
  if (entries.length > 0xffff || offset > 0xffffffff) throw new Error('too large for a zip without zip64');
  return Buffer.concat([...locals, directory, end]);
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

/**
 * Zips dist/<browser> as dist/zing-<browser>-<version>.zip, with the manifest
 * passed through `editManifest` if given (the unpacked build on disk is left
 * as it is); without it every file goes in byte for byte.
 */
function packageBuild(browser, editManifest) {
  const dir = join(dist, browser);
  if (!existsSync(join(dir, 'manifest.json'))) fail(`dist/${browser} is missing: run \`npm run build\` first`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  // The stores read the manifest's version; package.json's must agree, or the file name would lie.
  if (manifest.version !== pkg.version)
    fail(`dist/${browser}/manifest.json has version ${manifest.version} but package.json has ${pkg.version}: bump both together`);
  const entries = listFiles(dir).map((name) => [
    name,
    name === 'manifest.json' && editManifest
      ? Buffer.from(`${JSON.stringify(editManifest(manifest), null, 2)}\n`)
      : readFileSync(join(dir, name)),
  ]);
  const out = join(dist, `zing-${browser}-${manifest.version}.zip`);
  rmSync(out, { force: true });
  const bytes = zip(entries);
  writeFileSync(out, bytes);
  console.log(
    `  ${relative(root, out).padEnd(32)} ${String(entries.length).padStart(3)} files  ${(bytes.length / 1024).toFixed(1).padStart(6)} KB`,
  );
  return manifest;
}

console.log('\nStore packages:');
// Chrome Web Store refuses an upload whose manifest has `key`: the store assigns
// the id and signs the package itself. The key only pins the id of unpacked
// development installs (see vite.config.ts), so the store zip drops it.
const chrome = packageBuild('chrome', ({ key: _key, ...rest }) => rest);
packageBuild('firefox');

// A store package pointed at a loopback relay works only on the developer's machine.
const hosts = chrome.host_permissions ?? [];
if (hosts.some((h) => /^https?:\/\/(127\.|localhost|\[::1\])/.test(h)))
  console.warn(`  note: these packages talk to ${hosts.join(', ')}; set ZING_RELAY_URL for a public build`);
