import { ChainopsError } from '../../src/errors.ts';

/**
 * SSH runs every command through the remote user's shell, so an argument vector has to become one
 * string. Each argument is single-quoted (a `'` becomes `'\''`): the shell then passes it through
 * as one word, with no expansion of `$`, backticks, globs, `;` or `|`.
 */
export function quoteArg(arg: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg)) throw new ChainopsError('config_invalid', 'an SSH command argument contains a control character — fix the action in the fleet file');
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** `['sudo', 'systemctl', 'restart', 'geth']` → `'sudo' 'systemctl' 'restart' 'geth'`. */
export function joinArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new ChainopsError('config_invalid', 'an SSH action needs at least one argument');
  return argv.map(quoteArg).join(' ');
}
