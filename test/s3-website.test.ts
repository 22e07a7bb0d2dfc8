import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, start } from './helpers.js';

/** The static website endpoint: index and error documents, redirects and routing rules. */
describe('S3 website endpoint', () => {
  let nimbus: Nimbus;
  let s3: S3Client;
  let n = 0;
  const unique = (tag: string) => `${tag}-${process.pid}-${++n}`;
  before(async () => {
    nimbus = await start();
    s3 = new S3Client(clientConfig(nimbus, { forcePathStyle: true }));
  });
  after(() => nimbus.stop());

  function get(host: string, path: string, method = 'GET') {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: nimbus.port, path, method, headers: { host: `${host}:${nimbus.port}` } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function site(): Promise<string> {
    const b = unique('site');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const put = (Key: string, Body: string, extra: Record<string, string> = {}) => s3.send(new PutObjectCommand({ Bucket: b, Key, Body, ContentType: 'text/html', ...extra }));
    await put('index.html', '<h1>home</h1>');
    await put('docs/index.html', '<h1>docs</h1>');
    await put('about.html', 'about us');
    await put('404.html', 'lost?');
    await put('old.html', '', { WebsiteRedirectLocation: '/about.html' });
    await put('private/secret.html', 'secret');
    // Website endpoints serve only objects anyone may read.
    await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }, { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/private/*` }] }) }));
    return b;
  }

  it('serves index documents, objects and the error document on the website endpoint', async () => {
    const b = await site();
    const host = `${b}.s3-website.localhost`;
    assert.equal((await get(host, '/')).status, 404);
    assert.match((await get(host, '/')).body, /NoSuchWebsiteConfiguration/);
    await s3.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: '404.html' } } }));
    const home = await get(host, '/');
    assert.equal(home.status, 200);
    assert.equal(home.body, '<h1>home</h1>');
    assert.equal(home.headers['content-type'], 'text/html');
    assert.equal((await get(`${b}.s3-website-us-east-1.localhost`, '/docs/')).body, '<h1>docs</h1>');
    const folder = await get(host, '/docs');
    assert.equal(folder.status, 302);
    assert.equal(folder.headers['location'], '/docs/');
    assert.equal((await get(host, '/about.html')).body, 'about us');
    const missing = await get(host, '/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body, 'lost?');
    const moved = await get(host, '/old.html');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers['location'], '/about.html');
    assert.equal((await get(host, '/', 'POST')).status, 405);
    const secret = await get(host, '/private/secret.html');
    assert.equal(secret.status, 403);
    assert.match(secret.body, /AccessDenied/);
    assert.match((await get(`${unique('nobucket')}.s3-website.localhost`, '/')).body, /NoSuchBucket/);
  });

  it('redirects by routing rules and redirects everything when told to', async () => {
    const b = await site();
    await s3.send(new PutBucketWebsiteCommand({
      Bucket: b,
      WebsiteConfiguration: {
        IndexDocument: { Suffix: 'index.html' },
        RoutingRules: [
          { Condition: { KeyPrefixEquals: 'blog/' }, Redirect: { ReplaceKeyPrefixWith: 'news/', HttpRedirectCode: '302' } },
          { Condition: { HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'fallback.example', ReplaceKeyWith: 'missing.html' } },
        ],
      },
    }));
    const host = `${b}.s3-website.localhost`;
    const blog = await get(host, '/blog/post-1');
    assert.equal(blog.status, 302);
    assert.equal(blog.headers['location'], `http://${host}:${nimbus.port}/news/post-1`);
    const gone = await get(host, '/nope');
    assert.equal(gone.status, 301);
    assert.equal(gone.headers['location'], 'http://fallback.example/missing.html');
    const other = unique('moved');
    await s3.send(new CreateBucketCommand({ Bucket: other }));
    await s3.send(new PutBucketWebsiteCommand({ Bucket: other, WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'www.example.com', Protocol: 'https' } } }));
    const all = await get(`${other}.s3-website.localhost`, '/any/path');
    assert.equal(all.status, 301);
    assert.equal(all.headers['location'], 'https://www.example.com/any/path');
  });

  it('aws s3 website configures the endpoint from the CLI', async () => {
    const b = await site();
    const r = await aws(nimbus, ['s3', 'website', `s3://${b}`, '--index-document', 'index.html', '--error-document', '404.html']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await get(`${b}.s3-website.localhost`, '/')).body, '<h1>home</h1>');
  });
});
