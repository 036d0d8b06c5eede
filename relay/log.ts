// One JSON line per event an operator cares about: join, leave, error. Never a payload.
export type LogEvent = 'listening' | 'join' | 'leave' | 'error' | 'shutdown';

export type Logger = (event: LogEvent, fields?: Record<string, string | number>) => void;

export function createLogger(level: 'info' | 'silent'): Logger {
  if (level === 'silent') return () => {};
  return (event, fields) => {
    process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), event, ...fields })}\n`);
  };
}
