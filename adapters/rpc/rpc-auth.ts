import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isInside, realPathOf } from '../../src/fleet/fleet-paths.ts';
import { rememberSecret } from '../../src/secrets/process-secrets.ts';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { RpcTarget } from './json-rpc.client.ts';

export type AuthResult = { ok: true; target: RpcTarget } | { ok: false; error: string };

/**
 * Builds the RPC target for a node from its `rpc_auth`, read at check time so a rotated password
 * or a restarted bitcoind (new cookie) is picked up without restarting ChainOps.
 */
export async function resolveTarget(node: FleetNode, env: NodeJS.ProcessEnv = process.env): Promise<AuthResult> {
  const auth = node.rpc_auth;
  if (!auth) return { ok: true, target: { url: node.rpc_url } };
  if ('password_env' in auth) {
    const password = env[auth.password_env];
    if (password === undefined || password === '') {
      return {
        ok: false,
        error: `RPC password variable ${auth.password_env} is not set; export it in the environment of the ChainOps worker`,
      };
    }
    rememberSecret(password);
    return { ok: true, target: { url: node.rpc_url, auth: { username: auth.username, password } } };
  }
  // Cookie files live under the operator's CHAINOPS_SECRETS_DIR (relative names resolve from it);
  // the link is resolved again at read time, so a file swapped for a symlink later is refused too.
  const secretsDir = env['CHAINOPS_SECRETS_DIR'];
  const file = secretsDir ? resolve(secretsDir, auth.cookie_file) : auth.cookie_file;
  if (secretsDir && !isInside(realPathOf(resolve(secretsDir)), realPathOf(file))) {
    return { ok: false, error: `RPC cookie file ${auth.cookie_file} is outside CHAINOPS_SECRETS_DIR — put it under that directory` };
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    return { ok: false, error: `cannot read RPC cookie file ${auth.cookie_file} (${code}); is the node running and the file readable?` };
  }
  // Bitcoin Core writes `__cookie__:<hex>`; the password is everything after the first colon.
  const line = text.trim();
  const colon = line.indexOf(':');
  if (colon <= 0) return { ok: false, error: `RPC cookie file ${auth.cookie_file} is not in user:password form` };
  rememberSecret(line.slice(colon + 1));
  return { ok: true, target: { url: node.rpc_url, auth: { username: line.slice(0, colon), password: line.slice(colon + 1) } } };
}
