import { spawn } from 'node:child_process';
import { ChainopsError } from '../../src/errors.ts';
import type { LineSink } from '../../src/provision/terraform.port.ts';
import type { Redactor } from '../../src/provision/redact.ts';

/** A failed Terraform command: the binary's own diagnostics (redacted), its exit code, and what it was doing. */
export class TerraformError extends ChainopsError {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly diagnostics: string[] = [],
  ) {
    super('unavailable', message);
    this.name = 'TerraformError';
  }
}

export interface RunOptions {
  binary: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  redactor: Redactor;
  /** Parse stdout as Terraform's JSON UI stream (one object per line) and pass `@message` on. */
  jsonLines?: boolean;
  /** Every output line, redacted (`@message` for JSON lines). Not called for document output (`show -json`). */
  onLine?: LineSink;
  /** Keep stdout whole (for `show -json`, `output -json`); such output is never passed to onLine. */
  collectStdout?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  diagnostics: string[];
}

/** What a JSON UI line carries that we read. */
interface UiLine {
  '@level'?: string;
  '@message'?: string;
  type?: string;
  diagnostic?: { severity?: string; summary?: string; detail?: string };
}

/**
 * Run the Terraform/OpenTofu binary with an argument array — no shell, so no value is ever
 * interpreted — and stream its output line by line. Rejects with a TerraformError on a non-zero exit,
 * a missing binary or the timeout (SIGTERM first so Terraform can release its state lock, SIGKILL 15 s later).
 */
export function runTerraform(opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.binary, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const what = `${opts.binary} ${opts.args[0] ?? ''}`;
    const diagnostics: string[] = [];
    const stderrTail: string[] = [];
    let stdout = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      killTimer.unref();
    }, opts.timeoutMs);
    timer.unref();

    const emit = (line: string) => {
      if (line.trim() === '') return;
      opts.onLine?.(opts.redactor.redact(line));
    };
    const onStdoutLine = (line: string) => {
      if (!opts.jsonLines) return emit(line);
      let ui: UiLine | undefined;
      try {
        ui = JSON.parse(line) as UiLine;
      } catch {
        return emit(line);
      }
      if (ui.type === 'diagnostic' && ui.diagnostic) {
        const d = ui.diagnostic;
        const text = opts.redactor.redact(`${d.severity ?? ui['@level'] ?? ''}: ${d.summary ?? ''}${d.detail ? ` — ${d.detail}` : ''}`.trim());
        if ((d.severity ?? ui['@level']) === 'error') diagnostics.push(text);
        opts.onLine?.(text);
        return;
      }
      if (ui['@message']) emit(ui['@message']);
    };

    let outBuf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (opts.collectStdout) {
        stdout += chunk;
        return;
      }
      outBuf += chunk;
      let nl: number;
      while ((nl = outBuf.indexOf('\n')) >= 0) {
        onStdoutLine(outBuf.slice(0, nl));
        outBuf = outBuf.slice(nl + 1);
      }
    });
    let errBuf = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      errBuf += chunk;
      let nl: number;
      while ((nl = errBuf.indexOf('\n')) >= 0) {
        const line = opts.redactor.redact(errBuf.slice(0, nl));
        errBuf = errBuf.slice(nl + 1);
        if (line.trim() === '') continue;
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
        opts.onLine?.(line);
      }
    });

    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') {
        reject(new TerraformError(`the Terraform binary \`${opts.binary}\` was not found — install Terraform (≥ 1.4) or OpenTofu, or set terraform.binary in the fleet file to its path`, null));
      } else reject(new TerraformError(`could not run ${what}: ${err.message}`, null));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (outBuf) onStdoutLine(outBuf);
      if (errBuf.trim()) stderrTail.push(opts.redactor.redact(errBuf));
      if (timedOut) {
        reject(new TerraformError(`${what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was stopped — see the job log; raise terraform.timeout if it needs longer`, code));
        return;
      }
      if (code !== 0) {
        const why = diagnostics.length ? diagnostics.join('\n') : stderrTail.slice(-12).join('\n') || `exit ${code ?? signal}`;
        reject(new TerraformError(`${what} failed (exit ${code ?? signal}):\n${why}`, code, diagnostics.length ? diagnostics : stderrTail.slice(-12)));
        return;
      }
      resolve({ code: 0, stdout, diagnostics });
    });
  });
}
