import { MIN_SECRET_LENGTH, secretForms } from './secret-forms.ts';

/**
 * Token shapes removed even when their value was never read by this process: private keys, cloud
 * keys, Slack, Discord and GitHub tokens, auth headers, URL credentials, `password=…` pairs.
 */
const PATTERNS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted]'],
  [/\bxox[abposre]-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[redacted]'],
  // Discord bot tokens: base64 user id . timestamp . HMAC
  [/\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}\b/g, '[redacted]'],
  [/\b(Bearer|Basic|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g, (_m, kind) => `${kind} [redacted]`],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']*):[^\s@/"']+@/gi, (_m, head) => `${head}:[redacted]@`],
  // name = value / "name": "value" where the name says secret
  [
    /((?:["']?)[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?)([^\s"',;}]{3,})/gi,
    (_m, head) => `${head}[redacted]`,
  ],
];

// Long random-looking words (base64/hex keys) with upper, lower and digits mixed.
const LONG_WORD = /[A-Za-z0-9+/_=-]{40,}/g;
const PUBLIC_KEY_BEFORE = /(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d{3}) $/;

/**
 * The one redactor between ChainOps and everything that leaves it (chat, logs, job logs, the audit
 * log): every secret value it was given, in every encoding it may take, plus known token shapes.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #needles: string[] | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Remember a secret value (strings, numbers, or every leaf of an object); values under 6 characters are ignored. */
  add(secret: unknown): void {
    if (typeof secret === 'string') {
      if (secret.length >= MIN_SECRET_LENGTH && !this.#secrets.has(secret)) {
        this.#secrets.add(secret);
        this.#needles = undefined;
      }
      return;
    }
    if (Array.isArray(secret)) for (const s of secret) this.add(s);
    else if (secret && typeof secret === 'object') for (const s of Object.values(secret)) this.add(s);
    else if (typeof secret === 'number') this.add(String(secret));
  }

  /** How many secret values it knows (for tests and the start-up log). */
  get size(): number {
    return this.#secrets.size;
  }

  redact(text: string): string {
    // Longest first, so a secret that contains another is removed whole.
    this.#needles ??= [...new Set([...this.#secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.#needles) if (out.includes(s)) out = out.split(s).join('[redacted]');
    for (const [re, by] of PATTERNS) out = out.replace(re, by as (...m: string[]) => string);
    return out.replace(LONG_WORD, (w, at: number, all: string) => {
      // Public keys (host-key pins) are not secrets: a sync preview must show them in full.
      if (PUBLIC_KEY_BEFORE.test(all.slice(Math.max(0, at - 40), at))) return w;
      return /[A-Z]/.test(w) && /[a-z]/.test(w) && /\d/.test(w) && !w.includes('/') ? '[redacted]' : w;
    });
  }

  /** A copy of a JSON-like value with every string redacted (messages, audit entries, log lines). */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    }
    return value;
  }
}
