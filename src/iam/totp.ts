import { createHmac, randomBytes } from 'node:crypto';

/**
 * Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as virtual
 * MFA devices compute them, so MFA sign-in can be exercised locally with any authenticator app.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new device seed: 20 random bytes, base32 as authenticator apps read it (32 characters). */
export function newSeed(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function decode(seed: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of seed.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code for a 30-second step (`Math.floor(ms / 30000)`). */
export function totp(seed: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', decode(seed)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 15;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

export const stepOf = (ms: number) => Math.floor(ms / 30_000);

/** The step a code belongs to, allowing one step of clock drift either way; undefined if it matches none. */
export function matchingStep(seed: string, code: string, now: number): number | undefined {
  const current = stepOf(now);
  return [current, current - 1, current + 1].find((s) => totp(seed, s) === code);
}
