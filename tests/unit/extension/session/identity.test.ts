// A page's signing identity, in Node's WebCrypto (Ed25519, as in Chromium and Firefox).
import { describe, expect, it } from 'vitest';
import { Identity, importPublicKey, participantIdOf, verifySignature } from '../../../../extension/session/identity.ts';
import { fromBase64Url, toBase64Url } from '../../../../extension/session/room-key.ts';
import { isParticipantId, isSessionId } from '../../../../protocol/ids.ts';

describe('Identity', () => {
  it('derives its participant id from its public key, in the shape ids.ts accepts', async () => {
    const me = await Identity.create();
    expect(isParticipantId(me.participant)).toBe(true);
    expect(me.participant).toHaveLength(43);
    expect(participantIdOf(fromBase64Url(me.publicKey))).toBe(me.participant);
    expect(isSessionId(me.session)).toBe(true);
  });

  it('is new on every page: another key, id and session', async () => {
    const [a, b] = await Promise.all([Identity.create(), Identity.create()]);
    expect(a.participant).not.toBe(b.participant);
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(a.session).not.toBe(b.session);
  });

  it('signs so that its own public key verifies, and nothing else does', async () => {
    const me = await Identity.create();
    const other = await Identity.create();
    const signature = await me.sign('zing/v2|room|A|*\n{"seq":1}');
    const mine = await importPublicKey(me.participant, me.publicKey);
    const theirs = await importPublicKey(other.participant, other.publicKey);
    expect(await verifySignature(mine!, signature, 'zing/v2|room|A|*\n{"seq":1}')).toBe(true);
    expect(await verifySignature(mine!, signature, 'zing/v2|room|A|*\n{"seq":2}')).toBe(false);
    expect(await verifySignature(theirs!, signature, 'zing/v2|room|A|*\n{"seq":1}')).toBe(false);
  });

  it('keeps its private key out of reach: the key cannot be exported', async () => {
    // The private key is a private field; generating with extractable=false is what this checks.
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
    const me = await Identity.create();
    expect(Object.keys(me)).not.toContain('privateKey');
    expect(JSON.stringify(me)).not.toMatch(/private/i);
  });
});

describe('importPublicKey', () => {
  it('refuses a key that does not hash to the claimed id', async () => {
    const [me, other] = await Promise.all([Identity.create(), Identity.create()]);
    expect(await importPublicKey(me.participant, other.publicKey)).toBeUndefined();
  });

  it('refuses key text that is no key at all, even when the id is its hash', async () => {
    const junk = new Uint8Array(44).fill(7);
    expect(await importPublicKey(participantIdOf(junk), toBase64Url(junk))).toBeUndefined();
    expect(await importPublicKey('a'.repeat(43), '!!!')).toBeUndefined();
  });
});

describe('verifySignature', () => {
  it('refuses a signature that is not base64url or has the wrong length', async () => {
    const me = await Identity.create();
    const key = (await importPublicKey(me.participant, me.publicKey))!;
    expect(await verifySignature(key, '!!!', 'x')).toBe(false);
    expect(await verifySignature(key, 'AAAA', 'x')).toBe(false);
  });
});
