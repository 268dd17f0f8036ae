export interface AuditEntry {
  /** Epoch ms. */
  at: number;
  /** `platform:id` of the person, or `system` for workers. */
  actor: string;
  /** What happened: `command`, `refused`, `approval`, `job.start`, `job.end`, … */
  action: string;
  /** Short human summary (never secrets). */
  detail: string;
  outcome?: 'ok' | 'refused' | 'failed' | 'pending';
  ref?: string;
}

/** Append-only audit log: entries are never edited or removed by ChainOps. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  latest(limit: number): Promise<AuditEntry[]>;
}
