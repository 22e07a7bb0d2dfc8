import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Database } from './database.js';

/**
 * Payloads (object bodies, function code) by id (DESIGN.md §2). Small ones, up to 64 KiB, are
 * rows of the database: a file costs an open, a write, a rename and a close where a row costs
 * one insert, and most S3 objects are small. Larger ones stream to a temporary file that is
 * renamed into place when complete, so a reader never sees half a blob and a crash leaves only a
 * temporary file that the next start sweeps away. Like the database (WAL, synchronous=NORMAL),
 * a stored blob survives a crash of the process (kill -9); it is not fsynced, so the last ones
 * may not survive a power loss. Blob ids are random and made here: no user-supplied name ever
 * becomes a path.
 */
export interface StoredBlob {
  id: string;
  size: number;
  md5: string;
}

const ID = /^[0-9a-f]{32}$/;
export const INLINE_MAX_BYTES = 64 * 1024;

export class BlobStore {
  private readonly tmp: string;
  private readonly shards = new Set<string>();
  private readonly insert;
  private readonly select;
  private readonly remove;

  constructor(private readonly dir: string, db: Database) {
    this.tmp = join(dir, 'tmp');
    mkdirSync(this.tmp, { recursive: true });
    for (const f of readdirSync(this.tmp)) rmSync(join(this.tmp, f), { force: true });
    db.migrate([{ id: 'core/004-blobs', sql: 'CREATE TABLE nimbus_blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL)' }]);
    this.insert = db.sql.prepare('INSERT INTO nimbus_blobs (id, data) VALUES (?, ?)');
    this.select = db.sql.prepare('SELECT data FROM nimbus_blobs WHERE id = ?').pluck();
    this.remove = db.sql.prepare('DELETE FROM nimbus_blobs WHERE id = ?');
  }

  /** Stream `source` into a new blob, at most `maxBytes` long. */
  async write(source: Readable | Buffer, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StoredBlob> {
    // A v4 UUID's 32 hex digits: as unique as 16 random bytes, and drawn from a cached pool, not a syscall.
    const id = randomUUID().replace(/-/g, '');
    if (Buffer.isBuffer(source) && source.length <= INLINE_MAX_BYTES) {
      if (source.length > maxBytes) throw new BlobTooLarge(maxBytes);
      this.insert.run(id, source);
      return { id, size: source.length, md5: createHash('md5').update(source).digest('hex') };
    }
    const md5 = createHash('md5');
    const head: Buffer[] = [];
    let size = 0;
    let file: WriteStream | undefined;
    const tmpPath = join(this.tmp, id);
    try {
      for await (const chunk of Buffer.isBuffer(source) ? [source] : source) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > maxBytes) throw new BlobTooLarge(maxBytes);
        md5.update(buf);
        if (file) {
          if (!file.write(buf)) await new Promise<void>((resolve) => file!.once('drain', () => resolve()));
          continue;
        }
        head.push(buf);
        if (size > INLINE_MAX_BYTES) {
          // Too large for a row: spill what came so far to a file and stream the rest after it.
          file = createWriteStream(tmpPath);
          for (const h of head.splice(0)) file.write(h);
        }
      }
      if (!file) {
        this.insert.run(id, head.length === 1 ? head[0]! : Buffer.concat(head));
      } else {
        file.end();
        await finished(file);
        const shard = id.slice(0, 2);
        if (!this.shards.has(shard)) {
          await mkdir(join(this.dir, shard), { recursive: true });
          this.shards.add(shard);
        }
        await rename(tmpPath, this.path(id));
      }
      return { id, size, md5: md5.digest('hex') };
    } catch (e) {
      if (file) {
        file.destroy();
        await rm(tmpPath, { force: true });
      }
      throw e;
    }
  }

  /** The blob's bytes, or the inclusive byte `range` of them: a small blob whole, a large one streamed. */
  read(id: string, range?: { start: number; end: number }): Readable | Buffer {
    const inline = this.select.get(id) as Buffer | undefined;
    if (inline) return range ? inline.subarray(range.start, range.end + 1) : inline;
    // Large chunks: fewer reads and writes per MiB streamed.
    return createReadStream(this.path(id), { highWaterMark: 512 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async delete(id: string): Promise<void> {
    if (this.remove.run(id).changes > 0) return;
    await rm(this.path(id), { force: true });
  }

  /** Remove every blob file (reset; the database's rows go with the database's reset). */
  clear(): void {
    for (const entry of readdirSync(this.dir)) {
      if (entry !== 'tmp') rmSync(join(this.dir, entry), { recursive: true, force: true });
    }
    this.shards.clear();
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
