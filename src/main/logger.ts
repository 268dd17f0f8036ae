import pino from 'pino';
import { processRedactor } from '../secrets/process-secrets.ts';

/**
 * Structured logs on stderr (stdout belongs to the console adapter). Anything that looks like a
 * token, password or key is redacted by path before it is written. Written asynchronously, so a
 * burst of requests never waits on a slow log pipe on the event loop that acks Slack; pino flushes
 * what is buffered when the process exits.
 */
export function createLogger(level: string, name = 'chainops'): pino.Logger {
  return pino({ name, level, redact: REDACT, hooks: HOOKS }, pino.destination({ fd: 2, sync: false }));
}

const REDACT = {
  paths: ['token', 'password', 'secret', '*.token', '*.password', '*.secret', '*.authorization', 'headers.authorization', 'rpcPassword'],
  censor: '[redacted]',
};

/** Every serialised line passes the process's redactor: secret values in any encoding, token shapes. */
const HOOKS = { streamWrite: (line: string) => processRedactor().redact(line) };

/** Logs to a file (the demo keeps the terminal for the console). */
export function createFileLogger(level: string, path: string): pino.Logger {
  return pino({ name: 'chainops', level, redact: REDACT, hooks: HOOKS }, pino.destination({ dest: path, sync: true, mkdir: true }));
}
