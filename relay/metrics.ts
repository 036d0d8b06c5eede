// GET /metrics in Prometheus's text format (prom-client).
//
// Nothing on the message path calls prom-client: rooms and the bus keep plain
// counters (an addition per message) and the gauges read live sizes, all only
// when Prometheus scrapes. Joins, leaves, errors and refused upgrades are
// counted from the same events the log writes (observe() below), so every log
// line has its counter and the call sites stay `log(event, fields)`; counting
// goes on with ZING_LOG=silent.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BusStats } from './redis-bus.ts';
import type { Logger } from './log.ts';
import type { RoomStats } from './rooms.ts';

export interface MetricsSources {
  /** Open WebSocket connections on this instance. */
  connections(): number;
  /** Bytes waiting to be sent to slow readers, over every connection. */
  outboundBytes(): number;
  /** Rooms with a member on this instance. */
  rooms(): number;
  routed(): RoomStats;
  /** Only with a RedisBus. */
  bus?(): BusStats;
}

export class RelayMetrics {
  readonly registry = new Registry();
  readonly #joins: Counter;
  readonly #leaves: Counter<'reason'>;
  readonly #errors: Counter<'code'>;
  readonly #rejected: Counter<'reason'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry }); // process CPU, memory, event-loop lag, GC
    new Gauge({
      name: 'zing_relay_connections',
      help: 'Open WebSocket connections on this instance.',
      registers,
      collect() {
        this.set(sources.connections());
      },
    });
    new Gauge({
      name: 'zing_relay_outbound_queued_bytes',
      help: 'Bytes the relay holds for connections that have not read them yet (capped per connection by ZING_MAX_OUTBOUND_BYTES).',
      registers,
      collect() {
        this.set(sources.outboundBytes());
      },
    });
    new Gauge({
      name: 'zing_relay_rooms',
      help: 'Rooms with at least one member on this instance.',
      registers,
      collect() {
        this.set(sources.rooms());
      },
    });
    new Counter({
      name: 'zing_relay_messages_routed_total',
      help: 'Signals routed (to one peer or to all others in a room).',
      registers,
      collect() {
        this.reset();
        this.inc(sources.routed().messages);
      },
    });
    new Counter({
      name: 'zing_relay_routed_bytes_total',
      help: 'Bytes of signal data routed (payloads are ASCII: one character, one byte).',
      registers,
      collect() {
        this.reset();
        this.inc(sources.routed().bytes);
      },
    });
    this.#joins = new Counter({ name: 'zing_relay_joins_total', help: 'Peers that joined a room on this instance.', registers });
    this.#leaves = new Counter({
      name: 'zing_relay_leaves_total',
      help: 'Peers that left a room on this instance, by reason (left: said so; closed: socket gone).',
      labelNames: ['reason'],
      registers,
    });
    this.#errors = new Counter({
      name: 'zing_relay_errors_total',
      help: 'Errors on open connections, by code (the wire error code, or the socket or bus failure).',
      labelNames: ['code'],
      registers,
    });
    this.#rejected = new Counter({
      name: 'zing_relay_rejected_upgrades_total',
      help: 'WebSocket upgrades refused before a connection existed, by reason.',
      labelNames: ['reason'],
      registers,
    });
    const bus = sources.bus;
    if (bus) {
      new Gauge({
        name: 'zing_relay_bus_up',
        help: '1 while signals route through Redis: both connections ready and, after a reconnect, the rooms subscribed again.',
        registers,
        collect() {
          this.set(bus().up ? 1 : 0);
        },
      });
      const counter = (name: string, help: string, read: (s: BusStats) => number) =>
        new Counter({
          name,
          help,
          registers,
          collect() {
            this.reset();
            this.inc(read(bus()));
          },
        });
      counter('zing_relay_bus_published_total', 'Signals published to other instances.', (s) => s.published);
      counter('zing_relay_bus_received_total', 'Room events and signals received from the bus.', (s) => s.received);
      counter('zing_relay_bus_errors_total', 'Redis commands or connections that failed.', (s) => s.errors);
      counter(
        'zing_relay_bus_rejected_total',
        'Bus messages dropped as malformed (a bad peer id, an oversized signal).',
        (s) => s.rejected,
      );
      counter('zing_relay_bus_swept_peers_total', 'Peers of crashed instances this instance removed from their rooms.', (s) => s.swept);
    }
  }

  /**
   * Wraps a Logger so each event is counted before it is logged. An `error`
   * without a `peer` came before any connection existed: a refused upgrade.
   */
  observe(log: Logger): Logger {
    return (event, fields) => {
      switch (event) {
        case 'join':
          this.#joins.inc();
          break;
        case 'leave':
          this.#leaves.inc({ reason: String(fields?.reason ?? 'unknown') });
          break;
        case 'error': {
          const code = String(fields?.code ?? 'UNKNOWN');
          if (fields?.peer === undefined) this.#rejected.inc({ reason: code });
          else this.#errors.inc({ code });
          break;
        }
        default:
          break;
      }
      log(event, fields);
    };
  }

  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
