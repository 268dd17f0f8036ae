import { format } from 'node:util';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const TOKEN_RE = /\b(xox[abposr]|xapp)-[A-Za-z0-9-]+/g;

/**
 * Bolt, the Web API client and the Socket Mode client log through this bridge into our pino logger
 * (child `component: slack`). Token-shaped strings are masked on the way, whatever the SDK prints.
 */
export function slackLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: 'slack' });
  let level = fromPino(log.level);
  const write = (method: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    log[method](format(...msg).replace(TOKEN_RE, '$1-***'));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l: LogLevel) => {
      level = l; // pino's level stays the authority; Bolt only asks what it is
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function fromPino(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'warn') return LogLevel.WARN;
  if (level === 'error' || level === 'fatal') return LogLevel.ERROR;
  return LogLevel.INFO;
}
