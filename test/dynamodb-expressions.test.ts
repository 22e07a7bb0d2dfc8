import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { addNumbers, canonicalNumber, compareNumbers, numberKey, numberSize, subtractNumbers } from '../src/services/dynamodb/numbers.js';
import { applyUpdate, evaluate, project } from '../src/services/dynamodb/expressions/evaluate.js';
import { parseCondition, parseProjection, parseUpdate, Placeholders, type Condition } from '../src/services/dynamodb/expressions/parser.js';
import { checkValue, type Item, type Value } from '../src/services/dynamodb/values.js';

/** Unit and property tests for the hard parts of DynamoDB: numbers, their key encoding, and expressions. */

// Decimal strings within DynamoDB's limits: up to 38 significant digits, exponents well inside the range.
const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 38 });
const dynamoNumber = fc.tuple(fc.boolean(), digits, fc.integer({ min: -100, max: 80 }))
  .map(([neg, d, e]) => `${neg ? '-' : ''}${d}E${e}`)
  .map(canonicalNumber);

describe('DynamoDB numbers', () => {
  it('canonical form drops exponents, leading and trailing zeros, and negative zero', () => {
    assert.equal(canonicalNumber('001.500'), '1.5');
    assert.equal(canonicalNumber('1E+3'), '1000');
    assert.equal(canonicalNumber('-0.000'), '0');
    assert.equal(canonicalNumber('1.23e-5'), '0.0000123');
    assert.equal(canonicalNumber('9.9999999999999999999999999999999999999E+125'), '99999999999999999999999999999999999999' + '0'.repeat(88));
  });

  it('rejects malformed numbers, more than 38 digits, and magnitudes out of range', () => {
    for (const bad of ['', 'abc', '1e', '--1', '1.2.3', 'Infinity', 'NaN', '0x10', ' 1', '1 ']) assert.throws(() => canonicalNumber(bad), /cannot be converted to a numeric value/);
    assert.throws(() => canonicalNumber('1' + '0'.repeat(37) + '1'), /more than 38 significant digits/);
    assert.throws(() => canonicalNumber('1E126'), /Number overflow/);
    assert.throws(() => canonicalNumber('1E-131'), /Number underflow/);
    assert.equal(canonicalNumber('1E-130'), '0.' + '0'.repeat(129) + '1');
  });

  it('values nest at most 32 levels, the attribute itself counted as the first: 31 lists or maps inside it', () => {
    const nest = (levels: number): Value => (levels === 0 ? { S: 'x' } : levels % 2 ? { L: [nest(levels - 1)] } : { M: { k: nest(levels - 1) } });
    assert.doesNotThrow(() => checkValue(nest(31)));
    assert.throws(() => checkValue(nest(32)), { message: 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit' });
  });

  it('arithmetic is exact: 0.1 + 0.2 is 0.3, and large values keep every digit', () => {
    assert.equal(addNumbers('0.1', '0.2'), '0.3');
    assert.equal(addNumbers('12345678901234567890123456789012345678', '1'), '12345678901234567890123456789012345679');
    assert.equal(subtractNumbers('1', '1.0000000000000000000000000000000000001'), '-0.0000000000000000000000000000000000001');
    // DynamoDB words an inexact result as an overflow.
    assert.throws(() => addNumbers('99999999999999999999999999999999999999', '0.1'), /Number overflow/);
    assert.throws(() => addNumbers('1E50', '1'), /Number overflow/);
    assert.throws(() => addNumbers('9E125', '9E125'), /Number overflow/);
    assert.equal(canonicalNumber('+3'), '3');
    assert.equal(canonicalNumber('.123'), '0.123');
  });

  it('the exponent is read in full: past 64 bits it cannot be converted, and a zero is range-checked by it', () => {
    assert.throws(() => canonicalNumber('1e2147483648'), /Number overflow/);
    assert.throws(() => canonicalNumber('1e-99999999999'), /Number underflow/);
    assert.throws(() => canonicalNumber('1e9223372036854775808'), { message: 'The parameter cannot be converted to a numeric value: 1e9223372036854775808' });
    assert.equal(canonicalNumber('0e125'), '0');
    assert.equal(canonicalNumber('-0.00E-128'), '0');
    assert.equal(canonicalNumber('0.00E126'), '0');
    assert.throws(() => canonicalNumber('0e126'), /Number overflow/);
    assert.throws(() => canonicalNumber('0e-131'), /Number underflow/);
  });

  it('a number costs one byte, one per base-100 digit counted from the point, and one more when negative', () => {
    // The Parity Suite's byte-exact recordings at the 400 KB limit.
    const recorded: [string, number][] = [['0', 1], ['-0', 1], ['1', 2], ['12', 2], ['123', 3], ['1234', 3], ['0042', 2], ['100', 2], ['1010', 3],
      ['0.0000001', 2], ['1E125', 2], ['1E-100', 2], ['1.5', 3], ['15', 2], ['1.200', 3], ['1.234', 4], ['3.14159', 5], ['123456', 4],
      ['100.5', 4], ['0.15', 2], ['-42', 3], ['1'.repeat(38), 20]];
    for (const [text, bytes] of recorded) assert.equal(numberSize(text), bytes, text);
  });

  it('property: addition commutes and subtraction inverts it (when the sum fits in 38 digits)', () => {
    fc.assert(fc.property(dynamoNumber, dynamoNumber, (a, b) => {
      let sum: string;
      try {
        sum = addNumbers(a, b);
      } catch {
        return true;
      }
      assert.equal(addNumbers(b, a), sum);
      assert.equal(compareNumbers(subtractNumbers(sum, b), a), 0);
      return true;
    }), { numRuns: 300 });
  });

  it('property: the key encoding orders bytes exactly as numbers compare', () => {
    fc.assert(fc.property(dynamoNumber, dynamoNumber, (a, b) => {
      const bytes = Math.sign(Buffer.compare(numberKey(a), numberKey(b)));
      assert.equal(bytes, Math.sign(compareNumbers(a, b)), `${a} vs ${b}`);
    }), { numRuns: 1000 });
  });

  it('property: canonical form, comparison and size agree with decimal.js on any spelling', () => {
    // Numbers are taken apart by hand on the hot path; decimal.js is the independent oracle here.
    const spelled = fc.tuple(fc.constantFrom('', '+', '-'), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 20 }),
      fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 20 })), fc.option(fc.integer({ min: -140, max: 140 })))
      .map(([sign, whole, fraction, exp]) => `${sign}${whole}${fraction === null ? '' : `.${fraction}`}${exp === null ? '' : `E${exp}`}`)
      .filter((s) => /\d/.test(s.split('E')[0]!));
    fc.assert(fc.property(spelled, spelled, (a, b) => {
      const x = new Decimal(a);
      let canonical: string;
      try {
        canonical = canonicalNumber(a);
      } catch (e) {
        // Only what DynamoDB refuses: more than 38 digits, or a magnitude out of range (a zero's by its exponent).
        // A zero's magnitude is that of a one in its last written place, as Java's BigDecimal reads it.
        const [mantissa, written] = a.split('E');
        const place = Number(written ?? 0) - (mantissa!.split('.')[1]?.length ?? 0);
        assert.ok(x.isZero() ? place > 125 || place < -130 : x.sd() > 38 || x.e > 125 || x.e < -130, `${a}: ${(e as Error).message}`);
        return;
      }
      assert.equal(canonical, x.isZero() ? '0' : x.toFixed());
      // Base-100 digits: the first significant digit stands for 10^e, the last for 10^(e - sd + 1).
      const pairs = Math.floor(x.e / 2) - Math.floor((x.e - x.sd() + 1) / 2) + 1;
      assert.equal(numberSize(a), x.isZero() ? 1 : 1 + pairs + (x.isNeg() ? 1 : 0));
      assert.equal(compareNumbers(a, b), new Decimal(a).cmp(new Decimal(b)) || 0, `${a} vs ${b}`);
    }), { numRuns: 2000 });
  });

  it('property: equal numbers written differently encode identically', () => {
    fc.assert(fc.property(dynamoNumber, (a) => {
      const padded = a.includes('.') ? `${a}000` : `${a}.000`;
      assert.deepEqual(numberKey(canonicalNumber(padded)), numberKey(a));
      assert.deepEqual(numberKey(canonicalNumber(`${a}E0`)), numberKey(a));
    }), { numRuns: 200 });
  });
});

const ph = (names?: Record<string, string>, values?: Record<string, Value>) => new Placeholders(names, values);

describe('DynamoDB expression parser', () => {
  it('precedence: NOT binds tighter than AND, AND tighter than OR', () => {
    const item: Item = { a: { N: '1' }, b: { N: '2' } };
    const values = { ':one': { N: '1' }, ':two': { N: '2' } };
    const cond = (src: string) => evaluate(item, parseCondition(src, 'ConditionExpression', ph(undefined, values)));
    assert.equal(cond('a = :two OR a = :one AND b = :two'), true);
    assert.equal(cond('(a = :two OR a = :one) AND b = :one'), false);
    assert.equal(cond('NOT a = :two AND b = :two'), true);
    assert.equal(cond('a BETWEEN :one AND :two AND b IN (:one, :two)'), true);
    assert.equal(cond('attribute_exists(a) AND NOT attribute_exists(c)'), true);
  });

  it('comparisons of different types are false, and <> of a missing attribute is true', () => {
    const item: Item = { s: { S: '1' } };
    const values = { ':n': { N: '1' } };
    const cond = (src: string) => evaluate(item, parseCondition(src, 'ConditionExpression', ph(undefined, values)));
    assert.equal(cond('s = :n'), false);
    assert.equal(cond('s < :n'), false);
    assert.equal(cond('s <> :n'), true);
    assert.equal(cond('nothere <> :n'), true);
  });

  it('functions: begins_with, contains on strings, sets and lists, attribute_type, size', () => {
    const item: Item = { s: { S: 'hello' }, ss: { SS: ['a', 'b'] }, l: { L: [{ N: '1' }, { S: 'x' }] }, m: { M: { k: { BOOL: true } } } };
    const values = { ':he': { S: 'he' }, ':a': { S: 'a' }, ':one': { N: '1.0' }, ':M': { S: 'M' }, ':five': { N: '5' } };
    const cond = (src: string) => evaluate(item, parseCondition(src, 'ConditionExpression', ph(undefined, values)));
    assert.equal(cond('begins_with(s, :he)'), true);
    assert.equal(cond('contains(ss, :a)'), true);
    assert.equal(cond('contains(l, :one)'), true);
    assert.equal(cond('attribute_type(m, :M)'), true);
    assert.equal(cond('size(s) = :five'), true);
    assert.equal(cond('attribute_exists(m.k) AND NOT attribute_exists(m.z)'), true);
  });

  it('reports DynamoDB errors: unknown functions, misuse, type names', () => {
    const err = (src: string, values: Record<string, Value> = { ':v': { S: 'x' } }) => {
      try {
        parseCondition(src, 'ConditionExpression', ph(undefined, values));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    assert.equal(err('foo(a)'), 'Invalid ConditionExpression: Invalid function name; function: foo');
    assert.equal(err('if_not_exists(a, a) = :v'), 'Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists');
    assert.equal(err('list_append(a, a) = :v'), 'Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append');
    assert.equal(err('toString(a)'), 'Invalid ConditionExpression: Invalid function name; function: toString');
    assert.equal(err('size(a)'), 'Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size');
    assert.equal(err('attribute_exists(a, b)'), 'Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2');
    assert.equal(err('attribute_type(a, :v)'), 'Invalid ConditionExpression: Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}');
    assert.equal(err('a = a'), 'Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]');
    assert.equal(err('a BETWEEN :v AND :w', { ':v': { N: '2' }, ':w': { N: '1' } }), 'Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}');
    assert.equal(err('a < :v', { ':v': { L: [] } }), 'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: L');
    assert.equal(err('a = :v AND'), 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"');
    assert.equal(err('a == :v'), 'Invalid ConditionExpression: Syntax error; token: "=", near: "== :v"');
    assert.equal(err('!!!'), 'Invalid ConditionExpression: Syntax error; token: "!", near: "!!"');
    assert.equal(err(''), 'Invalid ConditionExpression: The expression can not be empty;');
    assert.equal(err('((a = :v))'), 'Invalid ConditionExpression: The expression has redundant parentheses;');
  });

  it('an expression holds at most 4096 bytes of text as sent, placeholders unexpanded', () => {
    const values = { ':v': { N: '1' } };
    const padded = (bytes: number) => `a${' '.repeat(bytes - 'a = :v'.length)} = :v`;
    assert.doesNotThrow(() => parseCondition(padded(4096), 'ConditionExpression', ph(undefined, values)));
    assert.throws(() => parseCondition(padded(4097), 'FilterExpression', ph(undefined, values)),
      { message: 'Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097' });
    // Bytes, not characters: 1366 three-byte characters are 4098 bytes in 1366 UTF-16 units.
    assert.throws(() => parseProjection('é'.repeat(1366) + 'x'.repeat(1366), ph()), /ProjectionExpression: Expression size has exceeded the maximum allowed size;$/);
    assert.throws(() => parseUpdate(`SET ${'x'.repeat(4093)}`, ph()), /UpdateExpression: Expression size has exceeded the maximum allowed size;$/);
    // The size is judged before the syntax.
    assert.throws(() => parseCondition('('.repeat(15000), 'ConditionExpression', ph()), /Expression size has exceeded the maximum allowed size; expression size: 15000/);
    const names = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`#a${i}`, 'n'.repeat(250) + i]));
    assert.equal(parseProjection(Object.keys(names).join(', '), ph(names)).length, 30);
  });

  it('an expression holds at most 300 operators and functions, and DynamoDB reports the 301st', () => {
    const values = { ':v': { N: '1' } };
    const chain = (n: number) => Array.from({ length: n }, () => 'a < :v').join(' OR ');
    // n comparisons and n - 1 ORs.
    assert.doesNotThrow(() => parseCondition(chain(150), 'ConditionExpression', ph(undefined, values)));
    for (const src of [chain(151), chain(400), 'NOT '.repeat(301) + 'a < :v', `a < ${'size('.repeat(300)}b${')'.repeat(300)}`]) {
      assert.throws(() => parseCondition(src, 'ConditionExpression', ph(undefined, values)),
        { message: 'Invalid ConditionExpression: The expression contains too many operators; operator count: 301' });
    }
    const sums = Array.from({ length: 301 }, (_, i) => `a${i}=a${i}+:v`).join(',');
    assert.throws(() => parseUpdate(`SET ${sums}`, ph(undefined, values)), /UpdateExpression: The expression contains too many operators; operator count: 301/);
    // IN is one operator however many values it takes, and it takes at most 100.
    const list = (n: number) => Array.from({ length: n }, (_, i) => `:v${i}`).join(', ');
    const inValues = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`:v${i}`, { N: String(i) }]));
    assert.doesNotThrow(() => parseCondition(Array.from({ length: 3 }, () => `a IN (${list(100)})`).join(' AND '), 'ConditionExpression', ph(undefined, inValues)));
    assert.throws(() => parseCondition(`a IN (${list(101)})`, 'ConditionExpression', ph(undefined, inValues)),
      { message: 'Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101' });
    // An unknown function is named first, however many there are (Alternator's tests, against DynamoDB).
    assert.throws(() => parseCondition(`a < ${'f('.repeat(1355)}b${')'.repeat(1355)}`, 'ConditionExpression', ph()), { message: 'Invalid ConditionExpression: Invalid function name; function: f' });
  });

  it('deep nesting within 4 KB is a ValidationException, not a stack overflow', () => {
    const refused = (src: string, message: RegExp) => assert.throws(() => parseCondition(src, 'ConditionExpression', ph()), (e: Error & { code?: string }) => e.code === 'ValidationException' && message.test(e.message));
    refused('('.repeat(4096), /redundant parentheses/);
    refused(`${'('.repeat(2046)}a<b${')'.repeat(2046)}`, /redundant parentheses/);
    refused(`a < ${'('.repeat(2044)}b${')'.repeat(2044)}`, /redundant parentheses/);
    refused(`${'NOT ('.repeat(680)}a<b${')'.repeat(680)}`, /too many operators/);
    refused(`a < ${'f('.repeat(1363)}b${')'.repeat(1363)}`, /Invalid function name; function: f/);
  });

  it('projection paths: nested maps, list indexes, overlap errors', () => {
    assert.deepEqual(parseProjection('a.b[2].c, #x', ph({ '#x': 'x.y' })), [['a', 'b', 2, 'c'], ['x.y']]);
    assert.throws(() => parseProjection('!!!', ph()), { message: 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"' });
    assert.throws(() => parseProjection('a, a.b', ph()), /Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \[a\], path two: \[a, b\]/);
    assert.throws(() => parseProjection('a[1], a.b', ph()), /Two document paths conflict with each other/);
    const item: Item = { a: { L: [{ S: '0' }, { M: { b: { S: 'keep' }, c: { S: 'drop' } } }] } };
    assert.deepEqual(project(item, parseProjection('a[1].b', ph())), { a: { L: [{ M: { b: { S: 'keep' } } }] } });
  });

  it('update functions nest as DynamoDB allows: if_not_exists inside list_append, not list_append inside list_append', () => {
    const values = { ':e': { L: [] }, ':n': { L: [{ S: 'x' }] } };
    const actions = parseUpdate('SET l = list_append(if_not_exists(l, :e), :n)', ph(undefined, values));
    const after: Item = {};
    applyUpdate({}, actions, after);
    assert.deepEqual(after, { l: { L: [{ S: 'x' }] } });
    assert.throws(() => parseUpdate('SET l = list_append(list_append(:e, :n), :n)', ph(undefined, values)), /The function is not allowed to be used this way in an expression; function: list_append/);
    assert.throws(() => parseUpdate('SET _a = :n', ph(undefined, values)), /Syntax error; token: "_"/);
    assert.throws(() => parseUpdate('SET b = if_not_exists(c, :n + :n)', ph(undefined, values)), /Syntax error; token: "\+"/);
    assert.throws(() => parseUpdate('SET b = f(c)', ph()), /Invalid function name; function: f/);
  });

  it('update actions read the item as it was before the update', () => {
    const before: Item = { a: { N: '1' }, b: { N: '2' }, l: { L: [{ S: 'x' }, { S: 'y' }, { S: 'z' }] } };
    const after = structuredClone(before);
    applyUpdate(before, parseUpdate('SET a = b, b = a REMOVE l[0], l[2]', ph()), after);
    assert.deepEqual(after, { a: { N: '2' }, b: { N: '1' }, l: { L: [{ S: 'y' }] } });
  });

  it('list indexes name elements as they were before the update: REMOVE after SET, appends in index order', () => {
    const list = (...n: number[]): Value => ({ L: n.map((x) => ({ N: String(x) })) });
    const values = { ':v': { N: '17' } };
    for (const expr of ['REMOVE a[1] SET a[3] = :v', 'SET a[3] = :v REMOVE a[1]']) {
      const after: Item = { a: list(2, 3, 4, 5, 6, 7) };
      applyUpdate(structuredClone(after), parseUpdate(expr, ph(undefined, values)), after);
      assert.deepEqual(after, { a: list(2, 4, 17, 6, 7) }, expr);
    }
    const after: Item = { a: list(0) };
    applyUpdate(structuredClone(after), parseUpdate('SET a[84] = :a, a[37] = :b, a[17] = :c', ph(undefined, { ':a': { N: '84' }, ':b': { N: '37' }, ':c': { N: '17' } })), after);
    assert.deepEqual(after, { a: list(0, 17, 37, 84) });
  });

  it('property: any well-formed comparison chain parses, and evaluating it never throws', () => {
    const name = fc.constantFrom('a', 'b', 'c', '#n');
    const value = fc.constantFrom(':x', ':y');
    const op = fc.constantFrom('=', '<>', '<', '<=', '>', '>=');
    const leaf = fc.oneof(
      fc.tuple(name, op, value).map(([n, o, v]) => `${n} ${o} ${v}`),
      name.map((n) => `attribute_exists(${n})`),
      fc.tuple(name, value, value).map(([n, v, w]) => `${n} IN (${v}, ${w})`),
    );
    const expr = fc.array(fc.tuple(leaf, fc.constantFrom('AND', 'OR'), fc.boolean()), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.map(([l, j, not], i) => `${i ? `${j} ` : ''}${not ? 'NOT ' : ''}${l}`).join(' '));
    fc.assert(fc.property(expr, fc.dictionary(fc.constantFrom('a', 'b', 'c', 'n'), fc.constantFrom<Value>({ N: '1' }, { S: 'q' }, { BOOL: true })), (src, item) => {
      const p = ph({ '#n': 'n' }, { ':x': { N: '1' }, ':y': { S: 'q' } });
      const c: Condition = parseCondition(src, 'ConditionExpression', p);
      assert.equal(typeof evaluate(item, c), 'boolean');
    }), { numRuns: 300 });
  });

  it('property: NOT negates and De Morgan holds for evaluated conditions', () => {
    const leaf = fc.constantFrom('a = :x', 'b <> :y', 'attribute_exists(c)', 'a < :x', 'begins_with(b, :y)');
    const item = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom<Value>({ N: '1' }, { N: '0' }, { S: 'q' }, { S: 'qq' }));
    fc.assert(fc.property(leaf, leaf, item, (l, r, it) => {
      const values = { ':x': { N: '1' }, ':y': { S: 'q' } };
      const ev = (src: string) => evaluate(it, parseCondition(src, 'ConditionExpression', ph(undefined, values)));
      assert.equal(ev(`NOT (${l} AND ${r})`), ev(`NOT ${l} OR NOT ${r}`));
      assert.equal(ev(`NOT ${l}`), !ev(l));
    }), { numRuns: 300 });
  });
});
