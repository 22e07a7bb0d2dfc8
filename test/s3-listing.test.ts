import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand, DeleteObjectCommand, ListObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutBucketVersioningCommand,
  PutObjectCommand, S3Client, paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

/** ListObjects v1/v2 and ListObjectVersions: S3's byte order, delimiters and pagination. */
describe('S3 listings', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  const KEYS = ['a.txt', 'photos/2024/jan.jpg', 'photos/2024/feb.jpg', 'photos/2025/mar.jpg', 'photos/cover.jpg', 'z', 'Zebra', 'é', '\u{1F600}', 'b c', 'b+c'];
  let bucket: string;
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
    bucket = unique('list');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const k of KEYS) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
  });
  after(() => nimbus.stop());

  /** S3 sorts by UTF-8 bytes, not by UTF-16 code units or locale. */
  const byteOrder = (keys: string[]) => [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

  it('lists every key in UTF-8 byte order', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(out.Contents?.map((c) => c.Key), byteOrder(KEYS));
    assert.equal(out.KeyCount, KEYS.length);
    assert.equal(out.IsTruncated, false);
    assert.equal(out.Contents?.[0]?.StorageClass, 'STANDARD');
    assert.equal(out.Contents?.[0]?.Owner, undefined);
  });

  it('rolls keys up into CommonPrefixes with a delimiter', async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['photos/']);
    assert.ok(!top.Contents?.some((c) => c.Key!.startsWith('photos/')));
    const photos = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', Prefix: 'photos/' }));
    assert.deepEqual(photos.CommonPrefixes?.map((p) => p.Prefix), ['photos/2024/', 'photos/2025/']);
    assert.deepEqual(photos.Contents?.map((c) => c.Key), ['photos/cover.jpg']);
    assert.equal(photos.KeyCount, 3);
  });

  it('pages with max-keys and continuation tokens, a common prefix counting once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2, Delimiter: '/', ContinuationToken: token }));
      seen.push(...(out.Contents ?? []).map((c) => c.Key!), ...(out.CommonPrefixes ?? []).map((p) => p.Prefix!));
      assert.ok((out.KeyCount ?? 0) <= 2);
      token = out.NextContinuationToken;
      pages++;
    } while (token);
    const expected = byteOrder([...KEYS.filter((k) => !k.startsWith('photos/')), 'photos/']);
    assert.deepEqual(byteOrder(seen), expected);
    assert.equal(pages, Math.ceil(expected.length / 2));
    const all: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: bucket })) all.push(...(page.Contents ?? []).map((c) => c.Key!));
    assert.deepEqual(all, byteOrder(KEYS));
  });

  it('starts after a key, and rejects a forged continuation token', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'photos/cover.jpg' }));
    assert.deepEqual(out.Contents?.map((c) => c.Key), byteOrder(KEYS).filter((k) => Buffer.compare(Buffer.from(k), Buffer.from('photos/cover.jpg')) > 0));
    assert.equal(out.StartAfter, 'photos/cover.jpg');
    const err = await rejects(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'forged' })));
    assert.equal(err.name, 'InvalidArgument');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('fetches owners on request and URL-encodes keys with encoding-type=url', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, FetchOwner: true, Prefix: 'b', EncodingType: 'url' }));
    assert.ok(out.Contents?.[0]?.Owner?.ID);
    // The SDK decodes nothing: keys come back as S3 encoded them.
    assert.deepEqual(out.Contents?.map((c) => c.Key), ['b%20c', 'b%2Bc']);
  });

  it('ListObjects v1 pages with markers and gives NextMarker only with a delimiter', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.NextMarker, undefined);
    assert.ok(first.Contents?.[0]?.Owner?.ID);
    const next = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: first.Contents![2]!.Key }));
    assert.deepEqual([...first.Contents!, ...next.Contents!].map((c) => c.Key), byteOrder(KEYS));
    const delimited = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 2, Delimiter: '/', Prefix: 'photos/' }));
    assert.equal(delimited.NextMarker, 'photos/2025/');
    const rest = await s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', Prefix: 'photos/', Marker: delimited.NextMarker }));
    assert.deepEqual(rest.Contents?.map((c) => c.Key), ['photos/cover.jpg']);
    assert.equal(rest.CommonPrefixes, undefined);
  });

  it('lists versions and delete markers newest first, with key and version markers', async () => {
    const b = unique('versions');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    const ids: string[] = [];
    for (const body of ['1', '2', '3']) ids.push((await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: body }))).VersionId!);
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'l', Body: 'x' }));
    const page1 = await s3.send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 2 }));
    assert.equal(page1.IsTruncated, true);
    assert.deepEqual(page1.DeleteMarkers?.map((d) => d.VersionId), [marker]);
    assert.deepEqual(page1.Versions?.map((v) => v.VersionId), [ids[2]]);
    assert.equal(page1.NextKeyMarker, 'k');
    assert.equal(page1.NextVersionIdMarker, ids[2]);
    const page2 = await s3.send(new ListObjectVersionsCommand({ Bucket: b, KeyMarker: page1.NextKeyMarker, VersionIdMarker: page1.NextVersionIdMarker }));
    assert.deepEqual(page2.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest]), [['k', ids[1], false], ['k', ids[0], false], ['l', page2.Versions![2]!.VersionId, true]]);
    const current = await s3.send(new ListObjectsV2Command({ Bucket: b }));
    assert.deepEqual(current.Contents?.map((c) => c.Key), ['l']);
  });

  it('lists from the AWS CLI, following its paginator', async () => {
    const ls = await aws(nimbus, ['s3', 'ls', `s3://${bucket}/photos/`]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /PRE 2024\//);
    assert.match(ls.stdout, /cover\.jpg/);
    const api = await aws(nimbus, ['s3api', 'list-objects-v2', '--bucket', bucket, '--page-size', '2']);
    assert.equal(api.code, 0, api.stderr);
    assert.deepEqual(api.json.Contents.map((c: { Key: string }) => c.Key), byteOrder(KEYS));
  });
});
