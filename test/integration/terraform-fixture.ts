import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TerraformRunner } from '../../adapters/terraform/terraform.runner.ts';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GANACHE_BIN = join(ROOT, 'node_modules/.bin/ganache');

/**
 * The Terraform tests need the real binary. Missing it is a failure with a clear message, never a
 * silent skip: CI must install Terraform (≥ 1.4) or OpenTofu.
 */
export async function requireTerraform(binary = process.env['CHAINOPS_TEST_TERRAFORM'] ?? 'terraform'): Promise<string> {
  try {
    return await new TerraformRunner({ binary, cliConfigFile: join(tmpdir(), 'chainops-test-terraform.rc') }).version();
  } catch (err) {
    throw new Error(`the Terraform tests need the \`${binary}\` binary and could not run it (${err instanceof Error ? err.message : String(err)}). Install Terraform ≥ 1.4 (or OpenTofu and set CHAINOPS_TEST_TERRAFORM=tofu); these tests fail rather than skip.`);
  }
}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A base port whose next `span` ports are free now (the local module puts node N on base + N). */
export async function freeRange(span = 12): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let p = base + 1; p <= base + span && ok; p++) ok = await free(p);
    if (ok) return base;
  }
  throw new Error('no free port range found');
}

export interface LocalModule {
  /** Temp root: terraform.dir of the fleet. */
  root: string;
  /** The copied module (root/local). */
  moduleDir: string;
  runDir: string;
  basePort: number;
  cliConfig: string;
  /** Destroy every workspace's nodes with Terraform, then kill any ganache left by pid file; remove the dir. */
  cleanup(): Promise<void>;
}

/**
 * examples/terraform/local copied to a temp dir of its own, with terraform.tfvars pointing at this
 * checkout's ganache, a free port range and a run dir inside the temp dir.
 */
export async function localModule(): Promise<LocalModule> {
  const root = await mkdtemp(join(tmpdir(), 'chainops-tf-'));
  const moduleDir = join(root, 'local');
  const runDir = join(root, 'run');
  await cp(join(ROOT, 'examples/terraform/local'), moduleDir, { recursive: true, filter: (src) => !/\/(\.terraform|\.run|terraform\.tfstate\.d)(\/|$)/.test(src) && !src.endsWith('.tfvars') });
  await mkdir(runDir, { recursive: true });
  const basePort = await freeRange();
  await writeFile(join(moduleDir, 'terraform.tfvars'), `ganache_bin = ${JSON.stringify(GANACHE_BIN)}\nbase_port   = ${basePort}\nrun_dir     = ${JSON.stringify(runDir)}\n`);
  const cliConfig = join(root, 'terraform.rc');
  await writeFile(cliConfig, '');
  return {
    root, moduleDir, runDir, basePort, cliConfig,
    async cleanup() {
      await destroyWorkspaces(moduleDir, cliConfig).catch(() => undefined);
      await killByPidFiles(runDir);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** `terraform destroy` in every workspace of the module (stops the nodes through the module's destroy provisioner). */
async function destroyWorkspaces(moduleDir: string, cliConfig: string): Promise<void> {
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig };
  let names: string[] = [];
  try {
    names = await readdir(join(moduleDir, 'terraform.tfstate.d'));
  } catch {
    return;
  }
  for (const ws of names) {
    await run('terraform', ['destroy', '-auto-approve', '-input=false', '-no-color', '-var=env=x', '-var=group=x', '-var=node_names=[]'], { cwd: moduleDir, env: { ...env, TF_WORKSPACE: ws }, timeout: 120_000 }).catch(() => undefined);
  }
}

/** Last resort: SIGKILL every ganache a pid file names (only if it still is a ganache process). */
export async function killByPidFiles(runDir: string): Promise<void> {
  let files: string[] = [];
  try {
    files = (await readdir(runDir)).filter((f) => f.endsWith('.pid'));
  } catch {
    return;
  }
  for (const f of files) {
    const pid = Number(await readFile(join(runDir, f), 'utf8').catch(() => ''));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('ganache')) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** One JSON-RPC call; undefined when nothing answers. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as { result?: unknown }).result;
  } catch {
    return undefined;
  }
}

/** Poll until `probe` returns a truthy value, or fail after `ms` with `what` and the last state. */
export async function until<T>(probe: () => Promise<T | undefined | false | null>, what: string, ms = 60_000, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
