// When to restart ICE on a link that was up and went down.
//
// Both ends see the path go down at about the same time. If both restarted,
// each restart would cut short the checks of the other's (perfect negotiation
// lets the polite side's later offer through, which starts the checks afresh),
// and on a loaded machine, where an allocation plus checks take longer than the
// patience, the two could keep cancelling each other for as long as the test
// or the person waits. So one side drives: the impolite one. The polite one
// only steps in as a backstop when nothing has happened for a while (the other
// page is frozen, or its offers are lost).
//
// Each restart whose checks were cut short doubles the patience for the next
// one: a slow path gets the time it needs instead of being restarted forever.

export interface IceRecoveryPolicy {
  /** How long a restarted ICE may check before it is tried again (a TURN allocation plus checks take ~1 s on a quiet machine). */
  patienceMs: number;
  /** The patience never grows past this: a path that came back is found within about this long. */
  maxPatienceMs: number;
  /** How long the polite side waits without any progress before it restarts itself. */
  politeBackstopMs: number;
}

export const ICE_RECOVERY: IceRecoveryPolicy = { patienceMs: 3_000, maxPatienceMs: 12_000, politeBackstopMs: 8_000 };

type IceState = RTCIceConnectionState;

const isUp = (s: IceState) => s === 'connected' || s === 'completed';
const isDown = (s: IceState) => s === 'disconnected' || s === 'failed';

export class IceRecovery {
  readonly #polite: boolean;
  readonly #policy: IceRecoveryPolicy;
  /** When the link went down; undefined while it is up (or was never up). */
  #downSince: number | undefined;
  #checkingSince = 0;
  #lastRestart = Number.NEGATIVE_INFINITY;
  /** Restarts whose checks ran out of patience since the link went down. */
  #cutShort = 0;

  constructor(polite: boolean, policy: IceRecoveryPolicy = ICE_RECOVERY) {
    this.#polite = polite;
    this.#policy = policy;
  }

  /** Whether recovery is running (the link was up and is not now). */
  get active(): boolean {
    return this.#downSince !== undefined;
  }

  /** The patience for the current restart's checks. */
  get patienceMs(): number {
    return Math.min(this.#policy.patienceMs * 2 ** this.#cutShort, this.#policy.maxPatienceMs);
  }

  /** The ICE connection state changed at `now`; true when ICE should restart at once. */
  onState(state: IceState, now: number): boolean {
    if (isUp(state)) {
      this.#downSince = undefined;
      this.#cutShort = 0;
      return false;
    }
    if (state === 'checking') this.#checkingSince = now;
    if (!isDown(state)) return false;
    this.#downSince ??= now;
    // A failed path is retried at once; a disconnected one gets a tick to come back by itself.
    return state === 'failed' && this.#mayRestart(now) && this.#restarted(now);
  }

  /** Called periodically while `active`; true when ICE should restart now. */
  tick(state: IceState, now: number): boolean {
    if (this.#downSince === undefined || isUp(state) || !this.#mayRestart(now)) return false;
    if (isDown(state)) return this.#restarted(now);
    if (state === 'checking' && now - Math.max(this.#checkingSince, this.#lastRestart) > this.patienceMs) {
      this.#cutShort += 1;
      return this.#restarted(now);
    }
    return false;
  }

  #mayRestart(now: number): boolean {
    if (!this.#polite) return true;
    const lastProgress = Math.max(this.#downSince ?? now, this.#checkingSince, this.#lastRestart);
    return now - lastProgress >= this.#policy.politeBackstopMs;
  }

  #restarted(now: number): true {
    this.#lastRestart = now;
    return true;
  }
}
