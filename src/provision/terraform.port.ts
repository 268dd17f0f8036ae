import type { Shape } from './tf-vars.ts';

/** One root module run in one workspace: where every Terraform command of a job runs. */
export interface TfWorkDir {
  /** Absolute directory of the root module. */
  moduleDir: string;
  /** Workspace selected for every command (TF_WORKSPACE). */
  workspace: string;
  /** Variables the group's `terraform.env` asks for: Terraform's name → the worker variable holding the value. */
  env?: Record<string, string>;
}

/** What the module is asked to converge to (validated by `tfVarsSchema` before it reaches argv). */
export interface TfVars {
  env: string;
  group: string;
  node_names: string[];
  shape: Shape | null;
}

/** One resource instance in a plan, by action. */
export interface ResourceChange {
  address: string;
  type: string;
  name: string;
  /** for_each key or count index, when there is one. */
  key?: string;
  action: 'add' | 'change' | 'destroy' | 'replace';
}

/** Add/change/destroy of a saved plan, as Terraform counts them (a replacement is one add and one destroy). */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  changes: ResourceChange[];
  /** Nothing would change. */
  empty: boolean;
}

/** A plan saved to a file, and the hash an approval binds to. */
export interface SavedPlan {
  file: string;
  /** sha256 of the plan's `resource_changes` (what would change), from `show -json <file>`. */
  hash: string;
  /** sha256 of the plan file's bytes (detects a swapped file). */
  fileSha: string;
  summary: PlanSummary;
}

/** Where a command's progress goes: one redacted line at a time. */
export type LineSink = (line: string) => void;

export interface PlanRequest {
  dir: TfWorkDir;
  vars: TfVars;
  /** Where to save the plan (`-out`). */
  planFile: string;
  /** Plan a destroy of these resource addresses only (`-destroy -target=…`). */
  destroyTargets?: string[];
  onLine?: LineSink;
}

/** `terraform output -json` after redaction bookkeeping: values plus which outputs are sensitive. */
export interface TfOutputs {
  values: Record<string, unknown>;
  sensitive: string[];
}

/** A managed resource instance in the current state. */
export interface StateResource {
  address: string;
  type: string;
  /** for_each key or count index. */
  index?: string | number;
}

/**
 * The Terraform (or OpenTofu) CLI as the provisioning jobs use it. Every implementation runs the
 * binary with an argument array (never a shell) and applies only saved plan files.
 */
export interface TerraformPort {
  /** `version -json`: the CLI version, or a clear error if the binary is missing. */
  version(): Promise<string>;
  /** `init -input=false` and make sure the workspace exists. Safe to call before every job. */
  init(dir: TfWorkDir, onLine?: LineSink): Promise<void>;
  /** `plan -input=false -out=<file> -json …`, then `show -json <file>` for the summary and hash. */
  plan(req: PlanRequest): Promise<SavedPlan>;
  /** `show -json <file>` of a saved plan: its summary and hash, to check it before applying. */
  showPlan(dir: TfWorkDir, planFile: string): Promise<SavedPlan>;
  /** `apply -input=false -json <file>`: applies exactly that saved plan. */
  apply(dir: TfWorkDir, planFile: string, onLine?: LineSink): Promise<void>;
  /** `output -json`. */
  outputs(dir: TfWorkDir): Promise<TfOutputs>;
  /** Managed resource instances in the workspace's state (`show -json`). */
  stateResources(dir: TfWorkDir): Promise<StateResource[]>;
}
