import { createHash, randomUUID } from 'node:crypto';
// fs.promises rather than node:fs/promises: the CLI bundle then loads it (and readline with it)
// on the first large blob, not at start-up.
import { close, createWriteStream, fstatSync, mkdirSync, openSync, promises as fsp, read, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
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
 * becomes a path. A composed blob is a list of other blobs, read one after the other.
 */
export interface StoredBlob {
  id: string;
  size: number;
  md5: string;
}

const ID = /^[0-9a-f]{32}$/;

/** A v4 UUID's 32 hex digits: as unique as 16 random bytes, and drawn from a cached pool, not a syscall. */
function newId(): string {
  return randomUUID().replace(/-/g, '');
}
export const INLINE_MAX_BYTES = 64 * 1024;
/** Bytes per read of a blob file: with reused buffers, 1 MiB reads took a third less CPU per 1 MiB GET than 256 KiB ones. */
const CHUNK_BYTES = 1024 * 1024;
/** Streaming buffers kept for reuse: one per response of up to a MiB, for 16 at once. */
const POOL_BUFFERS = 16;

export class BlobStore {
  private readonly tmp: string;
  private readonly shards = new Set<string>();
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly insertPart;
  private readonly selectParts;
  private readonly removeParts;
  private readonly pool: Buffer[] = [];

  constructor(private readonly dir: string, db: Database) {
    this.tmp = join(dir, 'tmp');
    mkdirSync(this.tmp, { recursive: true });
    for (const f of readdirSync(this.tmp)) rmSync(join(this.tmp, f), { force: true });
    db.migrate([
      { id: 'core/004-blobs', sql: 'CREATE TABLE nimbus_blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL)' },
      { id: 'core/005-blob-parts', sql: 'CREATE TABLE nimbus_blob_parts (id TEXT NOT NULL, seq INTEGER NOT NULL, part TEXT NOT NULL, size BIGINT NOT NULL, PRIMARY KEY (id, seq))' },
    ]);
    this.insert = db.sql.prepare('INSERT INTO nimbus_blobs (id, data) VALUES (?, ?)');
    this.select = db.sql.prepare('SELECT data FROM nimbus_blobs WHERE id = ?').pluck();
    this.remove = db.sql.prepare('DELETE FROM nimbus_blobs WHERE id = ?');
    this.insertPart = db.sql.prepare('INSERT INTO nimbus_blob_parts (id, seq, part, size) VALUES (?, ?, ?, ?)');
    this.selectParts = db.sql.prepare('SELECT part, size FROM nimbus_blob_parts WHERE id = ? ORDER BY seq');
    this.removeParts = db.sql.prepare('DELETE FROM nimbus_blob_parts WHERE id = ?');
  }

  /**
   * A new blob that is `parts` one after the other, without copying them (an S3 multipart upload's
   * parts becoming its object): the parts now belong to it and go when it is deleted. Only rows
   * are written, so a caller's transaction makes it atomic with what refers to it.
   */
  compose(parts: readonly { id: string; size: number }[]): string {
    const id = newId();
    parts.forEach((p, seq) => this.insertPart.run(id, seq, p.id, p.size));
    return id;
  }

  /** Stream `source` into a new blob, at most `maxBytes` long. */
  async write(source: Readable | Buffer, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StoredBlob> {
    const id = newId();
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
          await fsp.mkdir(join(this.dir, shard), { recursive: true });
          this.shards.add(shard);
        }
        await fsp.rename(tmpPath, this.path(id));
      }
      return { id, size, md5: md5.digest('hex') };
    } catch (e) {
      if (file) {
        file.destroy();
        await fsp.rm(tmpPath, { force: true });
      }
      throw e;
    }
  }

  /** The blob's bytes, or the inclusive byte `range` of them: a small blob whole, a large one streamed. */
  read(id: string, range?: { start: number; end: number }): Buffer | BlobStream {
    const inline = this.select.get(id) as Buffer | undefined;
    if (inline) return range ? inline.subarray(range.start, range.end + 1) : inline;
    const parts = this.selectParts.all(id) as { part: string; size: number }[];
    if (parts.length === 0) return new BlobStream(this, [{ id, start: range?.start ?? 0, end: range ? range.end + 1 : Infinity }]);
    // A composed blob is its parts' pieces that fall in the range, each read when the stream reaches it.
    const pieces: Piece[] = [];
    let offset = 0;
    for (const p of parts) {
      const first = offset;
      offset += p.size;
      const start = Math.max(range?.start ?? 0, first);
      const end = Math.min(range ? range.end + 1 : offset, offset);
      if (start < end) pieces.push({ id: p.part, start: start - first, end: end - first });
    }
    return new BlobStream(this, pieces);
  }

  /** Where a piece's bytes come from: its row, or an open file (whose bytes stay readable even if the blob is deleted meanwhile). */
  source(id: string): Buffer | number {
    return (this.select.get(id) as Buffer | undefined) ?? openSync(this.path(id), 'r');
  }

  /** A chunk-sized buffer for streaming out, reused once the response has written it. */
  takeBuffer(): Buffer {
    return this.pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  }

  giveBuffer(buf: Buffer): void {
    if (this.pool.length < POOL_BUFFERS) this.pool.push(buf);
  }

  async delete(id: string): Promise<void> {
    if (this.remove.run(id).changes > 0) return;
    const parts = this.selectParts.all(id) as { part: string }[];
    if (parts.length > 0) {
      this.removeParts.run(id);
      await Promise.all(parts.map((p) => this.delete(p.part)));
      return;
    }
    await fsp.rm(this.path(id), { force: true });
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

/** Bytes `start` to `end` (exclusive; Infinity: to its end) of one stored blob. */
interface Piece {
  id: string;
  start: number;
  end: number;
}

/**
 * A stored blob's bytes, or pieces of several (a composed blob's parts), as a stream. Any consumer
 * may read it as a Readable, which hands out a new buffer per chunk. An HTTP response is served
 * by `writeTo` instead, which reads into the store's pooled buffers and reuses each once the socket
 * has taken it: a new 1 MiB buffer per read cost page faults, and V8 answers the churn of external
 * memory with garbage collections, together more CPU than the streaming itself.
 */
export class BlobStream extends Readable {
  private next = 0;
  private source: Buffer | number | undefined;
  private position = 0;
  private end = 0;
  /** A file read is in flight: its descriptor must not be closed (and its number reused) before it returns. */
  private reading = false;

  constructor(private readonly store: BlobStore, private readonly pieces: Piece[]) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  override _read(): void {
    this.readChunk(false, (err, chunk) => (err ? this.destroy(err) : this.push(chunk)));
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (!this.reading) this.closeFile();
    done(err);
  }

  /** Streams the bytes to `out` and ends it, at most two pooled buffers at a time; resolves when `out` closes. */
  writeTo(out: Writable): Promise<void> {
    return new Promise((resolve) => {
      let writing = 0;
      let reading = false;
      let ended = false;
      const stop = (): void => {
        this.destroy();
        resolve();
      };
      // A client may have hung up while the request was handled: 'close' has come and gone.
      if (out.destroyed) return stop();
      out.once('close', stop);
      const pump = (): void => {
        if (reading || writing >= 2 || ended || this.destroyed || out.destroyed) return;
        reading = true;
        this.readChunk(true, (err, chunk, pooled) => {
          reading = false;
          if (err || chunk === null) {
            ended = true;
            if (err) out.destroy(err);
            else out.end();
            return;
          }
          writing++;
          out.write(chunk, (e) => {
            writing--;
            // After a failed write the socket is going away; the buffer is left to the collector.
            if (e) return;
            if (pooled) this.store.giveBuffer(pooled);
            pump();
          });
          pump();
        });
      };
      pump();
    });
  }

  /**
   * The next chunk: read from the current file into a new buffer or, when `pooled`, into one of
   * the store's (passed on with it, to be given back); a row's bytes whole; null at the end.
   * Never called again before it has answered.
   */
  private readChunk(pooled: boolean, done: (err: Error | null, chunk: Buffer | null, buffer?: Buffer) => void): void {
    let source: Buffer | number | undefined;
    try {
      source = this.current();
    } catch (e) {
      process.nextTick(done, e as Error, null);
      return;
    }
    if (source === undefined) {
      process.nextTick(done, null, null);
      return;
    }
    if (Buffer.isBuffer(source)) {
      const chunk = source.subarray(this.position, this.end);
      this.position = this.end;
      process.nextTick(done, null, chunk);
      return;
    }
    const length = Math.min(CHUNK_BYTES, this.end - this.position);
    const target = pooled ? this.store.takeBuffer() : Buffer.allocUnsafeSlow(length);
    this.reading = true;
    read(source, target, 0, length, this.position, (err, n) => {
      this.reading = false;
      if (this.destroyed || err || n === 0) {
        if (pooled) this.store.giveBuffer(target);
        if (this.destroyed) return this.closeFile();
        return done(err ?? new Error(`blob ${this.pieces[this.next - 1]!.id} is shorter than recorded`), null);
      }
      this.position += n;
      done(null, target.subarray(0, n), pooled ? target : undefined);
    });
  }

  /** The current piece's source, moving on to the next piece when it is done; undefined after the last. */
  private current(): Buffer | number | undefined {
    while (this.source === undefined || this.position >= this.end) {
      this.closeFile();
      const piece = this.pieces[this.next++];
      if (!piece) return undefined;
      this.source = this.store.source(piece.id);
      this.position = piece.start;
      // Knowing where the file ends spares a read that finds nothing.
      this.end = Math.min(piece.end, Buffer.isBuffer(this.source) ? this.source.length : fstatSync(this.source).size);
    }
    return this.source;
  }

  private closeFile(): void {
    if (typeof this.source === 'number') close(this.source, () => {});
    this.source = undefined;
  }
}

export class BlobTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob larger than ${maxBytes} bytes`);
  }
}
