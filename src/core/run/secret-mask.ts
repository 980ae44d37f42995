/** What a masked secret is replaced with in a job's log. */
export const MASK = '***';

/** Encoded fragments shorter than this would mask ordinary text, so they are not looked for. */
const MIN_ENCODED = 8;

/**
 * The base64 characters that depend only on `secret`'s bytes when it sits at each of the three
 * byte offsets (mod 3) inside a longer encoded text, standard and URL alphabets: a job that
 * prints `base64 <<< "$AWS_SECRET_ACCESS_KEY"`, or a config blob containing it, is still masked.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const enc = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Character k holds bits [6k, 6k+6): keep those inside the secret's bits only.
    const start = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const frag = enc.slice(start, end);
    out.push(frag, frag.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** Every spelling of `secrets` to mask: as is, URL-encoded and base64-encoded, longest first. */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    const url = [encodeURIComponent(s), encodeURIComponent(s).replace(/%20/g, '+')];
    for (const f of [...url, ...base64Fragments(s)]) if (f !== s && f.length >= MIN_ENCODED) forms.add(f);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Masks secrets in a stream of text that arrives in pieces. A secret split across two writes is
 * still masked: the tail of each piece that could begin a secret is held back until the next
 * piece (or the end) shows whether it does — at most the longest secret's length, and only
 * when the text really ends like a secret's beginning.
 */
export class SecretMasker {
  private readonly forms: string[];
  private readonly pattern: RegExp | null;
  private readonly longest: number;
  private carry = '';

  constructor(secrets: readonly string[]) {
    this.forms = secretForms(secrets);
    this.longest = this.forms[0]?.length ?? 0;
    this.pattern = this.forms.length
      ? new RegExp(this.forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
      : null;
  }

  /** The masked text that is safe to emit now; a possible secret's beginning stays held. */
  push(text: string): string {
    const all = this.carry + text;
    this.carry = '';
    if (!this.pattern) return all;
    let out = '';
    let at = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(all); m; m = this.pattern.exec(all)) {
      out += all.slice(at, m.index) + MASK;
      at = m.index + m[0].length;
    }
    const hold = this.holdFrom(all, at);
    this.carry = all.slice(hold);
    return out + all.slice(at, hold);
  }

  /** Everything still held, masked: the stream ended. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    return rest;
  }

  get holding(): boolean {
    return this.carry.length > 0;
  }

  /** Where the longest tail of `all` (after `from`) that begins some secret form starts. */
  private holdFrom(all: string, from: number): number {
    for (let p = Math.max(from, all.length - this.longest + 1); p < all.length; p++) {
      const tail = all.slice(p);
      if (this.forms.some((f) => f.length > tail.length && f.startsWith(tail))) return p;
    }
    return all.length;
  }
}
