// Which relay a call runs through, in words, for the pre-join gate. Pure.

/** How a person recognises a relay: its host, and the whole origin where it speaks plain http (no TLS). */
export function relayName(origin: string): string {
  const url = new URL(origin);
  return url.protocol === 'https:' ? url.host : url.origin;
}

/**
 * `usual`: whether the relay is the one in the person's settings (undefined:
 * a guest, who has no settings). A relay other than one's own is said plainly,
 * because whoever sent the link chose it: it will see who joins and when.
 */
export function relayText(origin: string, usual: boolean | undefined): string {
  const name = relayName(origin);
  if (usual === false) return `This call runs through ${name}, not your usual relay.`;
  if (usual === true) return `This call runs through your relay, ${name}.`;
  return `This call runs through ${name}.`;
}
