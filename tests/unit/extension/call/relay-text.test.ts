import { describe, expect, it } from 'vitest';
import { relayName, relayText } from '../../../../extension/call/relay-text.ts';

describe('relayText', () => {
  it('names a relay other than one’s own, as such', () => {
    expect(relayText('https://relay.example', false)).toBe('This call runs through relay.example, not your usual relay.');
  });

  it('names one’s own relay as one’s own', () => {
    expect(relayText('https://zing.example.com:8443', true)).toBe('This call runs through your relay, zing.example.com:8443.');
  });

  it('names the relay alone for a guest, who has no usual relay', () => {
    expect(relayText('https://relay.example', undefined)).toBe('This call runs through relay.example.');
  });

  it('shows the http:// of a relay without TLS', () => {
    expect(relayName('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(relayName('https://relay.example')).toBe('relay.example');
  });
});
