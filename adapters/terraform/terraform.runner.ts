import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { sensitiveValues, summarizePlan, sha256 } from '../../src/provision/plan-summary.ts';
import type { Redactor } from '../../src/provision/redact.ts';
import { processRedactor } from '../../src/secrets/process-secrets.ts';
import { toolEnv } from '../../src/secrets/tool-env.ts';
import { targetAddress, varArgs } from '../../src/provision/tf-vars.ts';
import type { LineSink, PlanRequest, SavedPlan, StateResource, TerraformPort, TfOutputs, TfWorkDir } from '../../src/provision/terraform.port.ts';
import { runTerraform, TerraformError } from './terraform-process.ts';

export interface TerraformRunnerOptions {
  /** `terraform`, `tofu` or an absolute path to either. @defaultValue terraform */
  binary?: string;
  /** CLI config file (TF_CLI_CONFIG_FILE); created empty if missing. @defaultValue $TF_CLI_CONFIG_FILE, else none */
  cliConfigFile?: string;
  /** Per command. @defaultValue 30 minutes */
  timeoutMs?: number;
  /** Environment the allowlist is taken from (PATH, HOME, locale, proxies, CHAINOPS_TOOL_ENV, and the group's terraform.env). @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Shared with the caller so values it learns (sensitive outputs) are scrubbed everywhere. @defaultValue the process's redactor */
  redactor?: Redactor;
}

const outputSchema = z.record(z.string(), z.looseObject({ sensitive: z.boolean().default(false), value: z.unknown() }));

interface StateModule {
  resources?: Array<{ address: string; mode?: string; type: string; index?: string | number }>;
  child_modules?: StateModule[];
}
const stateSchema = z.looseObject({ values: z.looseObject({ root_module: z.custom<StateModule>((v) => typeof v === 'object' && v !== null) }).optional() });

// `init` writes .terraform/ in the module dir: two jobs of different groups sharing a module must not run it at once.
const initLocks = new Map<string, Promise<unknown>>();

/**
 * TerraformPort over the real CLI. Every run gets CHECKPOINT_DISABLE=1, TF_IN_AUTOMATION=1, TF_INPUT=0,
 * the CLI config file, and TF_WORKSPACE for the job's workspace; TF_CLI_ARGS* from the environment
 * are dropped so the argument list we validated is exactly what runs.
 */
export class TerraformRunner implements TerraformPort {
  readonly binary: string;
  readonly redactor: Redactor;
  readonly #timeoutMs: number;
  readonly #baseEnv: NodeJS.ProcessEnv;
  readonly #source: NodeJS.ProcessEnv;
  readonly #cliConfigFile: string | undefined;
  #configReady: Promise<void> | undefined;

  constructor(opts: TerraformRunnerOptions = {}) {
    this.binary = opts.binary ?? 'terraform';
    this.redactor = opts.redactor ?? processRedactor();
    this.#timeoutMs = opts.timeoutMs ?? 1_800_000;
    this.#source = opts.env ?? process.env;
    // An allowlist, never the whole environment: chat tokens, REDIS_URL and RPC passwords stay out.
    const base = toolEnv('terraform', this.#source);
    for (const k of Object.keys(base)) if (k === 'TF_WORKSPACE' || k.startsWith('TF_CLI_ARGS') || k === 'TF_LOG') delete base[k];
    this.#baseEnv = base;
    this.#cliConfigFile = opts.cliConfigFile ?? base['TF_CLI_CONFIG_FILE'];
  }

  #env(workspace?: string, named?: Record<string, string>): NodeJS.ProcessEnv {
    return {
      ...this.#baseEnv,
      ...(named ? toolEnv('terraform', this.#source, named) : {}),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      ...(this.#cliConfigFile ? { TF_CLI_CONFIG_FILE: this.#cliConfigFile } : {}),
      ...(workspace ? { TF_WORKSPACE: workspace } : {}),
    };
  }

  async #run(at: string | TfWorkDir, args: string[], opts: { workspace?: string; jsonLines?: boolean; collectStdout?: boolean; onLine?: LineSink } = {}) {
    const dir = typeof at === 'string' ? at : at.moduleDir;
    const named = typeof at === 'string' ? undefined : at.env;
    if (this.#cliConfigFile) {
      const file = this.#cliConfigFile;
      this.#configReady ??= mkdir(dirname(file), { recursive: true }).then(() => writeFile(file, '', { flag: 'a' }));
      await this.#configReady;
    }
    return runTerraform({
      binary: this.binary,
      args,
      cwd: dir,
      env: this.#env(opts.workspace, named),
      timeoutMs: this.#timeoutMs,
      redactor: this.redactor,
      ...(opts.jsonLines ? { jsonLines: true } : {}),
      ...(opts.collectStdout ? { collectStdout: true } : {}),
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
    });
  }

  async version(): Promise<string> {
    const { stdout } = await this.#run(process.cwd(), ['version', '-json'], { collectStdout: true });
    const v = z.looseObject({ terraform_version: z.string() }).safeParse(JSON.parse(stdout));
    if (!v.success) throw new TerraformError(`\`${this.binary} version -json\` gave no version`, 0);
    return v.data.terraform_version;
  }

  async init(dir: TfWorkDir, onLine?: LineSink): Promise<void> {
    const prev = initLocks.get(dir.moduleDir) ?? Promise.resolve();
    const mine = prev.catch(() => undefined).then(async () => {
      await this.#run(dir, ['init', '-input=false', '-no-color'], { ...(onLine ? { onLine } : {}) });
      try {
        // Without TF_WORKSPACE: `workspace new` must not run "inside" the workspace it creates.
        await this.#run(dir, ['workspace', 'new', '-no-color', dir.workspace]);
        onLine?.(`created workspace ${dir.workspace}`);
      } catch (err) {
        const exists = err instanceof TerraformError && /already exists/i.test(err.message);
        if (!exists) throw err;
      }
    });
    initLocks.set(dir.moduleDir, mine);
    try {
      await mine;
    } finally {
      if (initLocks.get(dir.moduleDir) === mine) initLocks.delete(dir.moduleDir);
    }
  }

  async plan(req: PlanRequest): Promise<SavedPlan> {
    const targets = (req.destroyTargets ?? []).map((t) => targetAddress.parse(t));
    if (req.destroyTargets && targets.length === 0) throw new TerraformError('a destroy plan needs at least one target', null);
    await mkdir(dirname(req.planFile), { recursive: true });
    const args = [
      'plan', '-input=false', '-lock-timeout=120s', `-out=${req.planFile}`, '-json',
      ...(req.destroyTargets ? ['-destroy', ...targets.map((t) => `-target=${t}`)] : []),
      ...varArgs(req.vars),
    ];
    await this.#run(req.dir, args, { workspace: req.dir.workspace, jsonLines: true, ...(req.onLine ? { onLine: req.onLine } : {}) });
    return this.showPlan(req.dir, req.planFile);
  }

  async showPlan(dir: TfWorkDir, planFile: string): Promise<SavedPlan> {
    const bytes = await readFile(planFile);
    const { stdout } = await this.#run(dir, ['show', '-json', planFile], { workspace: dir.workspace, collectStdout: true });
    const doc: unknown = JSON.parse(stdout);
    // Learn the plan's sensitive values now, so the apply that follows is scrubbed of them too.
    for (const v of sensitiveValues(doc)) this.redactor.add(v);
    const { summary, hash } = summarizePlan(doc);
    return { file: planFile, hash, fileSha: sha256(bytes), summary };
  }

  async apply(dir: TfWorkDir, planFile: string, onLine?: LineSink): Promise<void> {
    // A saved plan carries its own variables and workspace; Terraform refuses it if the state moved on.
    await this.#run(dir, ['apply', '-input=false', '-lock-timeout=120s', '-json', planFile], { workspace: dir.workspace, jsonLines: true, ...(onLine ? { onLine } : {}) });
  }

  async outputs(dir: TfWorkDir): Promise<TfOutputs> {
    const { stdout } = await this.#run(dir, ['output', '-json'], { workspace: dir.workspace, collectStdout: true });
    const parsed = outputSchema.safeParse(JSON.parse(stdout || '{}'));
    if (!parsed.success) throw new TerraformError('`terraform output -json` gave an unexpected document', 0);
    const values: Record<string, unknown> = {};
    const sensitive: string[] = [];
    for (const [name, o] of Object.entries(parsed.data)) {
      values[name] = o.value;
      if (o.sensitive) {
        sensitive.push(name);
        this.redactor.add(o.value);
      }
    }
    return { values, sensitive };
  }

  async stateResources(dir: TfWorkDir): Promise<StateResource[]> {
    const { stdout } = await this.#run(dir, ['show', '-json', '-no-color'], { workspace: dir.workspace, collectStdout: true });
    const parsed = stateSchema.safeParse(JSON.parse(stdout || '{}'));
    if (!parsed.success) throw new TerraformError('`terraform show -json` gave an unexpected state document', 0);
    const out: StateResource[] = [];
    const walk = (m: StateModule | undefined) => {
      if (!m) return;
      for (const r of m.resources ?? []) {
        if (r.mode && r.mode !== 'managed') continue;
        out.push({ address: r.address, type: r.type, ...(r.index !== undefined ? { index: r.index } : {}) });
      }
      for (const c of m.child_modules ?? []) walk(c);
    };
    walk(parsed.data.values?.root_module);
    return out;
  }
}
