import { isAbsolute, resolve } from 'node:path';
import type { Fleet } from './fleet.schema.ts';
import { pathProblem, realPathOf, isInside } from './fleet-paths.ts';
import { secretNameAllowed, type FleetGuardSettings } from './fleet-guard.settings.ts';

type Path = Array<string | number>;

/**
 * The checks a fleet file must pass beyond its schema, because it comes from a repository whose
 * writers are not trusted with the bot's own secrets or file system: secret names (env variables
 * and cookie files) and every path ChainOps reads or writes. Each problem names the field and the fix.
 */
export function checkFleetGuards(fleet: Fleet, s: FleetGuardSettings): Array<{ path: Path; message: string }> {
  const out: Array<{ path: Path; message: string }> = [];
  const secretEnv = (path: Path, name: string) => {
    if (!secretNameAllowed(s, name)) {
      out.push({ path, message: `environment variable ${name} may not be named by the fleet file — rename it to ${s.secretPrefix}${name.replace(new RegExp(`^${s.secretPrefix}`), '')} (names must start with ${s.secretPrefix}), or have the operator list it in CHAINOPS_SECRET_ALLOW` });
    }
  };
  fleet.nodes.forEach((n, i) => {
    const auth = n.rpc_auth;
    if (!auth) return;
    if ('password_env' in auth) secretEnv(['nodes', i, 'rpc_auth', 'password_env'], auth.password_env);
    else out.push(...cookieProblems(auth.cookie_file, s).map((message) => ({ path: ['nodes', i, 'rpc_auth', 'cookie_file'] as Path, message })));
  });
  const paths: Array<[Path, string, string]> = [];
  for (const [name, g] of Object.entries(fleet.groups)) {
    if (g.playbook) paths.push([['groups', name, 'playbook'], g.playbook, s.baseDir]);
    for (const [k, v] of Object.entries(g.terraform?.env ?? {})) secretEnv(['groups', name, 'terraform', 'env', k], v);
  }
  (fleet.alerts.actions ?? []).forEach((a, i) => a.playbook && paths.push([['alerts', 'actions', i, 'playbook'], a.playbook, s.baseDir]));
  const tf = fleet.terraform;
  const tfDir = tf?.dir ?? '.';
  paths.push([['terraform', 'dir'], tfDir, s.baseDir]);
  if (tf?.plan_dir) paths.push([['terraform', 'plan_dir'], tf.plan_dir, s.baseDir]);
  for (const [name, g] of Object.entries(fleet.groups)) {
    if (g.terraform?.module) paths.push([['groups', name, 'terraform', 'module'], g.terraform.module, isAbsolute(tfDir) ? tfDir : resolve(s.baseDir, tfDir)]);
  }
  for (const [path, value, from] of paths) {
    const why = pathProblem(value, from, s.root);
    if (why) out.push({ path, message: why });
  }
  if (tf?.binary && isAbsolute(tf.binary) && !s.toolAllow.includes(tf.binary)) {
    out.push({ path: ['terraform', 'binary'], message: `absolute binary ${tf.binary} may not be chosen by the fleet file — use terraform or tofu from PATH, or have the operator list it in CHAINOPS_TOOL_ALLOW` });
  }
  return out;
}

function cookieProblems(file: string, s: FleetGuardSettings): string[] {
  if (!s.secretsDir) return [`cookie file ${file} cannot be used: no secrets directory is configured — the operator sets CHAINOPS_SECRETS_DIR and the cookie file must lie under it`];
  const full = resolve(s.secretsDir, file);
  if (file.split(/[\\/]/).includes('..')) return [`cookie file ${file} contains ".." — name a file under ${s.secretsDir}`];
  if (!isInside(s.secretsDir, full)) return [`cookie file ${file} is outside the secrets directory ${s.secretsDir} — put the file (or a copy) under it`];
  const real = realPathOf(full);
  if (!isInside(realPathOf(s.secretsDir), real)) return [`cookie file ${file} is a symlink that leads to ${real}, outside the secrets directory ${s.secretsDir} — point it at a file under it`];
  return [];
}
