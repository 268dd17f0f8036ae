/**
 * What the GitOps push side shares between bot replicas (Redis in production, memory in unit tests):
 * who is posting which preview, which look at the source is the newest, and how many webhook
 * refusals each remote address has had since its last audit entry.
 */
export interface GitopsLedger {
  /**
   * Take the claim on `key` for `owner` if nobody holds it; true when taken. The claim lapses after
   * `ttlMs` unless kept, so a replica that dies holding it does not block the revision for long.
   */
  claim(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Keep a claim `owner` holds for `ttlMs` more (the preview went out: "posted once"); false if it is not theirs. */
  keep(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give back a claim only if `owner` still holds it (compare-and-delete), so the next look retries. */
  giveBack(key: string, owner: string): Promise<boolean>;
  /** A number for a look about to fetch the source; a later look gets a larger one. */
  startLook(source: string): Promise<number>;
  /**
   * Record that look `ticket` fetched `rev`, and answer the revision fetched by the latest-started look
   * recorded so far (ours, unless a look that started after ours already fetched). Ticket 0 records
   * nothing: it only reads that revision (`rev` if no look recorded yet).
   */
  sawRevision(source: string, ticket: number, rev: string): Promise<string>;
  /**
   * Count one refused webhook from `address`: answers the refusals since its last audit entry
   * (this one included) when an entry is due now (at most one per `windowMs`), else 0.
   */
  tallyRefusal(address: string, windowMs: number): Promise<number>;
}
