import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Run `bin/chainops.js` as its own process and collect its output (no shell). `entry` runs another
 * entry point instead, e.g. the compiled `dist/src/main/cli.js`.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, entry = 'bin/chainops.js'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chainops ${args.join(' ')} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** One console command typed as `user` (`chainops console --as <user> --exec <line>`): what it printed. */
export async function consoleAs(env: NodeJS.ProcessEnv, user: string, line: string): Promise<string> {
  const r = await runCli(['console', '--as', user, '--exec', line], env);
  return r.stdout + r.stderr;
}
