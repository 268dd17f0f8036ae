import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a single-process ChainOps keeps its own Redis data (AOF) and chart files:
 * `CHAINOPS_DATA_DIR`, else `$XDG_DATA_HOME/chainops`, else `~/.local/share/chainops`.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['CHAINOPS_DATA_DIR']) return env['CHAINOPS_DATA_DIR'];
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'chainops');
}
