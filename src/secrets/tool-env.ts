import { secretNameAllowed } from '../fleet/fleet-guard.settings.ts';

export type Tool = 'terraform' | 'git' | 'ansible' | 'ssh';

/** What every tool may see: where programs and home are, locale, time zone, temp dir, proxies, CA bundles. */
const COMMON = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TZ', 'LANG', 'LANGUAGE', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];
const PER_TOOL: Record<Tool, string[]> = {
  terraform: ['TF_CLI_CONFIG_FILE', 'TF_PLUGIN_CACHE_DIR', 'CHECKPOINT_DISABLE', 'TF_IN_AUTOMATION'],
  git: ['GIT_SSH_COMMAND', 'SSH_AUTH_SOCK'],
  ansible: ['SSH_AUTH_SOCK'],
  ssh: ['SSH_AUTH_SOCK'],
};

/**
 * The environment a subprocess gets: an allowlist, never the whole process environment (which holds
 * chat tokens, REDIS_URL and RPC passwords). On top: names the operator lists in CHAINOPS_TOOL_ENV
 * (passed as they are), and `named` — variables the fleet file asks for this tool (tool's name →
 * worker variable), each only if the worker variable passes the secret-name rule (CHAINOPS_SECRET_
 * prefix or CHAINOPS_SECRET_ALLOW).
 */
export function toolEnv(tool: Tool, source: NodeJS.ProcessEnv = process.env, named: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  const operator = (source['CHAINOPS_TOOL_ENV'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of [...COMMON, ...PER_TOOL[tool], ...operator]) if (source[k] !== undefined) out[k] = source[k];
  for (const k of Object.keys(source)) if (k.startsWith('LC_')) out[k] = source[k];
  const rule = {
    secretPrefix: source['CHAINOPS_SECRET_PREFIX'] || 'CHAINOPS_SECRET_',
    secretAllow: (source['CHAINOPS_SECRET_ALLOW'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
  for (const [as, from] of Object.entries(named)) {
    if (!secretNameAllowed(rule, from)) continue;
    if (source[from] !== undefined) out[as] = source[from];
  }
  return out;
}
