import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian packages the demo and tests need, by the binary that shows each is installed. */
export const SYSTEM_PACKAGES: Record<string, string> = {
  'redis-server': '/usr/bin/redis-server',
  litecoind: '/usr/bin/litecoind',
  'openssh-server': '/usr/sbin/sshd',
  'openssh-client': '/usr/bin/ssh-keygen',
  'ansible-core': '/usr/bin/ansible-playbook',
};

/**
 * Install missing Debian packages with apt-get when running as root; otherwise print the exact
 * command and return false. Arguments are fixed package names, never user input.
 */
export function ensureSystemPackages(names: string[], log: (line: string) => void): boolean {
  const missing = names.filter((n) => !existsSync(SYSTEM_PACKAGES[n] ?? `/usr/bin/${n}`));
  if (missing.length === 0) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    log(`missing: ${missing.join(', ')}. Install with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    return false;
  }
  log(`installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) {
    log(`apt-get failed (exit ${install.status ?? 'signal'}); install ${missing.join(' ')} by hand and run the demo again`);
    return false;
  }
  return true;
}
