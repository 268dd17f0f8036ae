import { spawn } from 'node:child_process';
import { processRedactor } from '../../src/secrets/process-secrets.ts';
import { toolEnv } from '../../src/secrets/tool-env.ts';

/**
 * Run `git` with an argument array (no shell), no terminal prompts and no interactive credential
 * helpers; rejects with git's own message (URL credentials scrubbed) on a non-zero exit or timeout.
 */
export function git(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd ?? process.cwd(),
      // An allowlisted environment: git (and the ssh it may start) never sees chat tokens or REDIS_URL.
      env: { ...toolEnv('git'), GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', SSH_ASKPASS: 'echo', GIT_SSH_COMMAND: process.env['GIT_SSH_COMMAND'] ?? 'ssh -o BatchMode=yes', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    timer.unref();
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? 'git is not installed on this machine — install git to sync the fleet file from a repository' : `could not run git: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(processRedactor().redact(`git ${args[0] === '-C' ? args[2] : args[0]} failed (${code ?? signal}): ${err.trim().split('\n').slice(-4).join(' ')}`)));
    });
  });
}
