import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The additional checksums S3 checks on upload and returns on request (`x-amz-checksum-*`).
 * CRC32 comes from zlib; CRC32C (Castagnoli) and CRC64NVME are table-driven here, both in
 * their reflected form, as the SDKs compute them.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64, with `-<parts>` for a composite checksum of a multipart object. */
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface Hasher {
  update(chunk: Buffer): void;
  digest(): Buffer;
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

function crc32cTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

/** CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5, kept as two 32-bit halves for speed. */
function crc64Tables(): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  const polyHi = 0x9a6c9329;
  const polyLo = 0xac4bc9b5;
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (bit) {
        h = (h ^ polyHi) >>> 0;
        l = (l ^ polyLo) >>> 0;
      }
    }
    hi[i] = h;
    lo[i] = l;
  }
  return { hi, lo };
}

// Constant lookup tables, computed once; no mutable state.
const CRC32C = crc32cTable();
const CRC64 = crc64Tables();

function crc32cHasher(): Hasher {
  let c = 0xffffffff;
  return {
    update(b) {
      for (let i = 0; i < b.length; i++) c = CRC32C[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
    },
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
      return out;
    },
  };
}

function crc64Hasher(): Hasher {
  let h = 0xffffffff;
  let l = 0xffffffff;
  return {
    update(b) {
      for (let i = 0; i < b.length; i++) {
        const idx = (l ^ b[i]!) & 0xff;
        l = (((l >>> 8) | (h << 24)) ^ CRC64.lo[idx]!) >>> 0;
        h = ((h >>> 8) ^ CRC64.hi[idx]!) >>> 0;
      }
    },
    digest() {
      const out = Buffer.alloc(8);
      out.writeUInt32BE((h ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((l ^ 0xffffffff) >>> 0, 4);
      return out;
    },
  };
}

export function hasher(algorithm: ChecksumAlgorithm): Hasher {
  switch (algorithm) {
    case 'CRC32': {
      let c = 0;
      return {
        update(b) { c = crc32(b, c); },
        digest() { const out = Buffer.alloc(4); out.writeUInt32BE(c >>> 0); return out; },
      };
    }
    case 'CRC32C':
      return crc32cHasher();
    case 'CRC64NVME':
      return crc64Hasher();
    default: {
      const h = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (b) => void h.update(b), digest: () => h.digest() };
    }
  }
}

/** True when `value` could be a checksum of this algorithm (base64 of the digest's length). */
export function wellFormed(algorithm: ChecksumAlgorithm, value: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm];
}

export function isChecksumAlgorithm(s: string | undefined): s is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(s ?? '');
}

/** The `Checksum<ALG>` output members of a stored checksum, with its type. */
export function checksumFields(c: StoredChecksum | null | undefined): Record<string, string> {
  if (!c) return {};
  return { [`Checksum${c.algorithm}`]: c.value, ChecksumType: c.type };
}
