// One JSON line per event an operator cares about: join, leave, error (a limit
// hit is an error with its code), the bus's state. Never a payload. Written by pino (fast, structured);
// call sites only see `log(event, fields)`, and /metrics counts the same events
// (metrics.ts), so a log line and a counter never disagree.
import { pino } from 'pino';

export type LogEvent = 'listening' | 'join' | 'leave' | 'error' | 'bus' | 'swept' | 'shutdown';

export type Logger = (event: LogEvent, fields?: Record<string, string | number>) => void;

export function createLogger(level: 'info' | 'silent'): Logger {
  if (level === 'silent') return () => undefined; // silent: log nothing
  const logger = pino(
    {
      base: null, // no pid/hostname on every line: the orchestrator adds its own labels
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous: the last line before process.exit (`shutdown`) must not be lost.
    pino.destination({ dest: 1, sync: true }),
  );
  // A client's bad frame or a limit it hit is worth a look, not an alarm: warn. Losing Redis is an alarm.
  return (event, fields) => {
    if (event === 'error') logger.warn({ event, ...fields });
    else if (event === 'bus' && (fields?.state === 'error' || fields?.state === 'down')) logger.error({ event, ...fields });
    else logger.info({ event, ...fields });
  };
}
