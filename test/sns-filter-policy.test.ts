import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matches, parseFilterPolicy, type Scope } from '../src/services/sns/filter-policy.js';

const attrs = (values: Record<string, string | number | string[]>) => ({
  kind: 'attributes' as const,
  values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v)
    ? { type: 'String.Array', value: JSON.stringify(v) }
    : typeof v === 'number' ? { type: 'Number', value: String(v) } : { type: 'String', value: v }])),
});
const body = (value: unknown) => ({ kind: 'body' as const, value });
const policy = (p: object, scope: Scope = 'MessageAttributes') => parseFilterPolicy(JSON.stringify(p), scope);

describe('SNS filter policies', () => {
  it('exact strings and numbers match their own type only', () => {
    assert.ok(matches(policy({ a: ['x', 5] }), attrs({ a: 'x' })));
    assert.ok(matches(policy({ a: ['x', 5] }), attrs({ a: 5.0 })));
    assert.ok(!matches(policy({ a: [5] }), attrs({ a: '5' })));
    assert.ok(!matches(policy({ a: ['x'] }), attrs({ b: 'x' })));
  });

  it('String.Array attributes match when any element matches', () => {
    assert.ok(matches(policy({ sport: ['rugby'] }), attrs({ sport: ['soccer', 'rugby'] })));
    assert.ok(!matches(policy({ sport: ['golf'] }), attrs({ sport: ['soccer', 'rugby'] })));
  });

  it('prefix, suffix, equals-ignore-case and cidr', () => {
    assert.ok(matches(policy({ a: [{ prefix: 'ord' }] }), attrs({ a: 'order' })));
    assert.ok(matches(policy({ a: [{ suffix: '.png' }] }), attrs({ a: 'cat.png' })));
    assert.ok(matches(policy({ a: [{ 'equals-ignore-case': 'EU-West' }] }), attrs({ a: 'eu-west' })));
    assert.ok(matches(policy({ ip: [{ cidr: '10.0.0.0/8' }] }), attrs({ ip: '10.1.2.3' })));
    assert.ok(!matches(policy({ ip: [{ cidr: '10.0.0.0/8' }] }), attrs({ ip: '11.1.2.3' })));
  });

  it('anything-but excludes values, prefixes and suffixes, and needs the key present', () => {
    assert.ok(matches(policy({ a: [{ 'anything-but': ['x', 'y'] }] }), attrs({ a: 'z' })));
    assert.ok(!matches(policy({ a: [{ 'anything-but': 'x' }] }), attrs({ a: 'x' })));
    assert.ok(!matches(policy({ a: [{ 'anything-but': { prefix: 'tmp-' } }] }), attrs({ a: 'tmp-1' })));
    assert.ok(!matches(policy({ a: [{ 'anything-but': { suffix: '.log' } }] }), attrs({ a: 'x.log' })));
    assert.ok(!matches(policy({ a: [{ 'anything-but': ['x'] }] }), attrs({})));
  });

  it('numeric ranges and exists', () => {
    const p = policy({ price: [{ numeric: ['>', 0, '<=', 100] }], coupon: [{ exists: true }], fraud: [{ exists: false }] });
    assert.ok(matches(p, attrs({ price: 100, coupon: 'c' })));
    assert.ok(!matches(p, attrs({ price: 0, coupon: 'c' })));
    assert.ok(!matches(p, attrs({ price: 50 })));
    assert.ok(!matches(p, attrs({ price: 50, coupon: 'c', fraud: 'yes' })));
    assert.ok(matches(policy({ n: [{ numeric: ['=', 3.5] }] }), attrs({ n: 3.5 })));
  });

  it('body policies look into nested objects and arrays, with $or', () => {
    const p = policy({ detail: { state: ['running'], tags: { env: ['prod'] } }, $or: [{ source: ['a'] }, { source: ['b'] }] }, 'MessageBody');
    assert.ok(matches(p, body({ source: 'b', detail: { state: 'running', tags: [{ env: 'dev' }, { env: 'prod' }] } })));
    assert.ok(!matches(p, body({ source: 'c', detail: { state: 'running', tags: { env: 'prod' } } })));
    assert.ok(!matches(p, body({ source: 'a', detail: { state: 'stopped', tags: { env: 'prod' } } })));
    assert.ok(matches(policy({ ids: [3] }, 'MessageBody'), body({ ids: [1, 2, 3] })));
  });

  it('invalid policies are refused with AWS messages', () => {
    const refuses = (text: string, message: RegExp, scope: Scope = 'MessageAttributes') =>
      assert.throws(() => parseFilterPolicy(text, scope), (e: Error & { code?: string }) => e.code === 'InvalidParameter' && message.test(e.message));
    refuses('nope', /failed to parse JSON/);
    refuses('[]', /must be a JSON object/);
    refuses('{"a":[]}', /Empty arrays are not allowed/);
    refuses('{"a":"x"}', /must be an object or an array/);
    refuses('{"a":[{"prefix":1}]}', /prefix match pattern must be a string/);
    refuses('{"a":[{"exists":"yes"}]}', /exists match pattern must be either true or false/);
    refuses('{"a":[{"numeric":["<",1,">",0]}]}', /Bad numeric range operator/);
    refuses('{"a":[{"numeric":[">",5,"<",1]}]}', /Bottom must be less than top/);
    refuses('{"a":[{"cidr":"banana"}]}', /Malformed CIDR/);
    refuses('{"$or":[{"a":["x"]}]}', /at least two objects/);
    refuses(JSON.stringify({ a: Array.from({ length: 151 }, (_, i) => String(i)) }), /too complex/);
  });

  it('a value always matches a policy listing it, and never one excluding it', () => {
    fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }).filter((k) => k !== '$or'), (value, key) => {
      assert.ok(matches(policy({ [key]: [value] }), attrs({ [key]: value })));
      assert.ok(!matches(policy({ [key]: [{ 'anything-but': [value] }] }), attrs({ [key]: value })));
      assert.ok(matches(policy({ [key]: [{ prefix: value.slice(0, 2) }] }), attrs({ [key]: value })));
    }));
  });
});
