import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Admission, refusalResponse, type AdmissionConfig, type Clock, type EdgeState } from '../../../relay/admission.ts';
import { DEFAULTS } from '../../../relay/config.ts';

const CONFIG: AdmissionConfig = {
  ...DEFAULTS,
  msgRatePerSecond: 10,
  msgBurst: 5,
  msgDropsBeforeClose: 3,
  maxConnectionsPerIp: 2,
  joinsPerMinutePerIp: 3,
};

/** A clock the test moves by hand. */
function manualClock(unixMs = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let t = 0;
  return { monotonicMs: () => t, unixMs: () => unixMs + t, advance: (ms) => void (t += ms) };
}

function request(headers: Record<string, string | undefined>, remoteAddress = '203.0.113.7'): Pick<IncomingMessage, 'headers' | 'socket'> {
  // Only the two fields Admission reads; the rest of an IncomingMessage does not matter here.
  return { headers: { host: 'relay.example', ...headers }, socket: { remoteAddress } } as unknown as Pick<
    IncomingMessage,
    'headers' | 'socket'
  >;
}

const newConn = (): EdgeState => ({ ipKey: '', tokens: 0, byteTokens: 0, refilledAt: 0, dropped: 0 });

function open(admission: Admission, req = request({})): EdgeState {
  const verdict = admission.upgrade(req);
  if (!verdict.ok) throw new Error(`refused: ${verdict.reason}`);
  const conn = newConn();
  admission.opened(conn, verdict.ipKey);
  return conn;
}

describe('Admission.upgrade', () => {
  it('refuses a page from another site with 403 before counting it', () => {
    const a = new Admission(CONFIG, manualClock());
    expect(a.upgrade(request({ origin: 'https://evil.example' }))).toEqual({
      ok: false,
      status: 403,
      reason: 'origin "https://evil.example" is not allowed',
    });
    expect(a.trackedAddresses.connections).toBe(0);
  });

  it('refuses one connection more than the cap per address with 429, and another address is unaffected', () => {
    const a = new Admission(CONFIG, manualClock());
    open(a);
    open(a);
    expect(a.upgrade(request({}))).toMatchObject({ ok: false, status: 429 });
    expect(a.upgrade(request({}, '198.51.100.1'))).toEqual({ ok: true, ipKey: '198.51.100.1' });
  });

  it('gives the slot back when a connection closes, once even if told twice', () => {
    const a = new Admission(CONFIG, manualClock());
    const first = open(a);
    open(a);
    a.closed(first);
    a.closed(first);
    open(a);
    expect(a.upgrade(request({}))).toMatchObject({ ok: false, status: 429 });
    expect(a.trackedAddresses.connections).toBe(1);
  });

  it('counts IPv4-mapped and plain IPv4 as one address, and a whole IPv6 /64 as one', () => {
    const a = new Admission(CONFIG, manualClock());
    open(a, request({}, '::ffff:203.0.113.7'));
    open(a, request({}, '203.0.113.7'));
    expect(a.upgrade(request({}, '::ffff:203.0.113.7'))).toMatchObject({ status: 429 });
    open(a, request({}, '2001:db8:1:2::a'));
    open(a, request({}, '2001:db8:1:2::b'));
    expect(a.upgrade(request({}, '2001:db8:1:2:ffff::c'))).toMatchObject({ status: 429 });
  });

  it('counts the forwarded address only behind a trusted proxy', () => {
    const behindProxy = new Admission({ ...CONFIG, trustProxy: 1 }, manualClock());
    const viaProxy = (client: string) => request({ 'x-forwarded-for': client }, '10.0.0.2');
    expect(behindProxy.upgrade(viaProxy('203.0.113.7'))).toEqual({ ok: true, ipKey: '203.0.113.7' });
    const direct = new Admission(CONFIG, manualClock());
    expect(direct.upgrade(viaProxy('203.0.113.7'))).toEqual({ ok: true, ipKey: '10.0.0.2' });
  });
});

describe('Admission.message', () => {
  it('limits each connection on its own: a flood on one leaves the other’s bucket full', () => {
    const a = new Admission({ ...CONFIG, maxConnectionsPerIp: 10 }, manualClock());
    const flooder = open(a);
    const other = open(a);
    const verdicts = Array.from({ length: 8 }, () => a.message(flooder, 100));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'limited', 'limited', 'close']);
    for (let i = 0; i < 5; i++) expect(a.message(other, 100)).toBe('ok');
  });

  it('refills with the injected clock', () => {
    const clock = manualClock();
    const a = new Admission(CONFIG, clock);
    const conn = open(a);
    for (let i = 0; i < 5; i++) a.message(conn, 100);
    expect(a.message(conn, 100)).toBe('limited');
    clock.advance(100);
    expect(a.message(conn, 100)).toBe('ok');
  });

  it('limits bytes beside messages: large frames are refused while small ones still fit', () => {
    const clock = manualClock();
    const a = new Admission({ ...CONFIG, msgBurst: 100, byteRatePerSecond: 10_000, byteBurst: 20_000 }, clock);
    const conn = open(a);
    expect([a.message(conn, 8_000), a.message(conn, 8_000), a.message(conn, 8_000)]).toEqual(['ok', 'ok', 'limited']);
    expect(a.message(conn, 4_000)).toBe('ok');
    clock.advance(500); // 5,000 bytes back
    expect(a.message(conn, 8_000)).toBe('limited');
    expect(a.message(conn, 5_000)).toBe('ok');
  });
});

describe('Admission.join', () => {
  it('allows joinsPerMinutePerIp joins per address at once, then one per 60/N seconds, and other addresses are unaffected', () => {
    const clock = manualClock();
    const a = new Admission(CONFIG, clock);
    const here = open(a);
    const there = open(a, request({}, '198.51.100.1'));
    expect([a.join(here), a.join(here), a.join(here), a.join(here)]).toEqual([true, true, true, false]);
    expect(a.join(there)).toBe(true);
    clock.advance(19_999);
    expect(a.join(here)).toBe(false);
    clock.advance(1);
    expect(a.join(here)).toBe(true);
  });

  it('forgets addresses that have been quiet for a minute', () => {
    const clock = manualClock();
    const a = new Admission({ ...CONFIG, maxConnectionsPerIp: 1 }, clock);
    for (let i = 0; i < 50; i++) a.join(open(a, request({}, `198.51.100.${i}`)));
    expect(a.trackedAddresses.joins).toBe(50);
    clock.advance(60_000);
    a.join(open(a, request({}, '192.0.2.1')));
    expect(a.trackedAddresses.joins).toBe(1);
  });
});

describe('Admission.iceServersFor', () => {
  it('adds nothing without a TURN secret', () => {
    expect(new Admission(CONFIG, manualClock()).iceServersFor('peer0001')).toEqual({});
  });

  it('mints coturn REST credentials for the peer, expiring a TTL after the wall clock', () => {
    const secret = 'a-secret-of-24-characters';
    const a = new Admission(
      { ...CONFIG, turnSecret: secret, turnUrls: ['turn:127.0.0.1:3478'], turnTtlSeconds: 600 },
      manualClock(1_700_000_000_000),
    );
    const { iceServers } = a.iceServersFor('peer0001');
    expect(iceServers).toEqual([
      {
        urls: ['turn:127.0.0.1:3478'],
        username: '1700000600:peer0001',
        credential: createHmac('sha1', secret).update('1700000600:peer0001').digest('base64'),
      },
    ]);
  });
});

describe('refusalResponse', () => {
  it('is a complete HTTP response with the status and its reason as the body', () => {
    const res = refusalResponse({ status: 429, reason: 'at most 2 connections per address' });
    expect(res).toBe(
      'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 34\r\n\r\nat most 2 connections per address\n',
    );
  });
});
