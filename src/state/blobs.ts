import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/**
 * Large payloads (object bodies, function code) as files in the data directory (DESIGN.md §2).
 * A blob is streamed to a temporary file, flushed, then renamed into place, so a reader never
 * sees half a blob and a crash leaves only a temporary file that the next start sweeps away.
 * Blob ids are random and made here: no user-supplied name ever becomes a path.
 */
export interface StoredBlob {
  id: string;
  size: number;
  md5: string;
}

const ID = /^[0-9a-f]{32}$/;

export class BlobStore {
  private readonly tmp: string;

  constructor(private readonly dir: string) {
    this.tmp = join(dir, 'tmp');
    mkdirSync(this.tmp, { recursive: true });
    for (const f of readdirSync(this.tmp)) rmSync(join(this.tmp, f), { force: true });
  }

  /** Stream `source` into a new blob, at most `maxBytes` long. */
  async write(source: Readable | Buffer, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StoredBlob> {
    const id = randomBytes(16).toString('hex');
    const tmpPath = join(this.tmp, id);
    const md5 = createHash('md5');
    let size = 0;
    try {
      if (Buffer.isBuffer(source)) {
        if (source.length > maxBytes) throw new BlobTooLarge(maxBytes);
        md5.update(source);
        size = source.length;
        const fh = await open(tmpPath, 'w');
        try {
          await fh.writeFile(source);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } else {
        const meter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            size += chunk.length;
            if (size > maxBytes) return done(new BlobTooLarge(maxBytes));
            md5.update(chunk);
            done(null, chunk);
          },
        });
        const out = createWriteStream(tmpPath);
        await pipeline(source, meter, out);
        const fh = await open(tmpPath, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      const final = this.path(id);
      await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
      await rename(tmpPath, final);
      return { id, size, md5: md5.digest('hex') };
    } catch (e) {
      await rm(tmpPath, { force: true });
      throw e;
    }
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(id), range ? { start: range.start, end: range.end } : {});
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /** Remove every blob (reset). */
  clear(): void {
    for (const entry of readdirSync(this.dir)) {
      if (entry !== 'tmp') rmSync(join(this.dir, entry), { recursive: true, force: true });
    }
  }

  private path(id: string): string {
    if (!ID.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.dir, id.slice(0, 2), id);
  }
}

export class BlobTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob larger than ${maxBytes} bytes`);
  }
}
