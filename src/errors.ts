/** Stable error codes: adapters and tests match on these, never on message text. */
export type ErrorCode =
  | 'config_invalid'
  | 'config_missing'
  | 'parse_error'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'approval_required'
  | 'approval_invalid'
  | 'locked'
  | 'frozen'
  | 'rpc_error'
  | 'job_data_invalid'
  | 'unavailable'
  /** A capability this release does not have yet; never retried. */
  | 'not_implemented'
  | 'internal';

/** Base error of ChainOps: a stable `code` plus a message written for a person. */
export class ChainopsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChainopsError';
  }
}

/** Bad input or missing permission: the message is shown to the user as is. */
export class UserError extends ChainopsError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'UserError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
