/**
 * Scrubs secrets from Terraform output before it reaches chat, job logs or log files: values of
 * sensitive outputs (added with `add`), and anything shaped like a key, token or password.
 */
const PATTERNS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[redacted]'],
  [/\b(Bearer|Basic|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g, (_m, kind) => `${kind} [redacted]`],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+):[^\s@/"']+@/gi, (_m, head) => `${head}:[redacted]@`],
  // name = value / "name": "value" where the name says secret
  [
    /((?:["']?)[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?)([^\s"',;}]{3,})/gi,
    (_m, head) => `${head}[redacted]`,
  ],
];

// Long random-looking words (base64/hex keys) with upper, lower and digits mixed.
const LONG_WORD = /[A-Za-z0-9+/_=-]{40,}/g;

export class Redactor {
  readonly #secrets = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Remember a secret value (e.g. a sensitive output); short values are ignored to avoid mangling text. */
  add(secret: unknown): void {
    if (typeof secret === 'string') {
      if (secret.length >= 6) this.#secrets.add(secret);
      return;
    }
    if (Array.isArray(secret)) for (const s of secret) this.add(s);
    else if (secret && typeof secret === 'object') for (const s of Object.values(secret)) this.add(s);
    else if (typeof secret === 'number' && String(secret).length >= 6) this.#secrets.add(String(secret));
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
    for (const [re, by] of PATTERNS) out = out.replace(re, by as (...m: string[]) => string);
    return out.replace(LONG_WORD, (w) => (/[A-Z]/.test(w) && /[a-z]/.test(w) && /\d/.test(w) && !w.includes('/') ? '[redacted]' : w));
  }
}
