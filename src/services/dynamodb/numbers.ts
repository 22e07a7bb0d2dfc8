import { Decimal } from 'decimal.js';
import { AwsError } from '../../protocols/errors.js';

/**
 * DynamoDB numbers: up to 38 significant digits, magnitudes from 1E-130 to below 1E+126,
 * compared and added exactly (never as JavaScript floats), returned in canonical form.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
 */
// Wide enough that adding or subtracting two in-range numbers is always exact; the result is
// then checked against DynamoDB's limits like any number a client sends.
const D = Decimal.clone({ precision: 400, toExpNeg: -1000, toExpPos: 1000, minE: -9e15, maxE: 9e15 });
type Num = InstanceType<typeof D>;

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function invalid(text: string): AwsError {
  // An empty text still follows the colon, as DynamoDB writes it now (the Parity Suite's recordings).
  return new AwsError('ValidationException', `The parameter cannot be converted to a numeric value: ${text}`);
}

/**
 * A decimal taken apart exactly, without arithmetic: value = (negative ? -1 : 1) × 0.digits × 10^exp,
 * with no leading or trailing zeros in `digits` (empty for zero). Canonical text, the key encoding,
 * the size and comparisons follow from it, so the hot path never builds a Decimal.
 */
interface Parts {
  negative: boolean;
  digits: string;
  /**
   * For zero, the exponent of a one in its last written place (0E126 as 1E126, 0.00E126 as 1E124):
   * DynamoDB range-checks a zero by how it is written, as Java's BigDecimal reads it.
   */
  exp: number;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The exponent as written. DynamoDB reads it in full before applying its range, so one past a 32-bit
 * integer overflows rather than wrapping, and one past a 64-bit integer cannot be converted at all
 * (the Parity Suite's recordings); either way it is far outside the range, so a double holds it.
 */
function exponent(text: string, e: number): number {
  if (e < 0) return 0;
  const written = text.slice(e + 1);
  if (written.length > 18) {
    const big = BigInt(written);
    if (big < INT64_MIN || big > INT64_MAX) throw invalid(text);
  }
  return Number(written);
}

function decompose(text: string): Parts {
  if (!NUMERIC.test(text)) throw invalid(text);
  const sign = text.charCodeAt(0) === 45 /* - */ || text.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  const e = text.search(/[eE]/);
  const written = exponent(text, e);
  const mantissa = text.slice(sign, e < 0 ? text.length : e);
  const dot = mantissa.indexOf('.');
  const whole = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const all = dot < 0 ? mantissa : whole + mantissa.slice(dot + 1);
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === 48) first++;
  let last = all.length;
  while (last > first && all.charCodeAt(last - 1) === 48) last--;
  if (first === last) return { negative: false, digits: '', exp: written - (all.length - whole.length) + 1 };
  return { negative: sign === 1 && text.charCodeAt(0) === 45, digits: all.slice(first, last), exp: whole.length - first + written };
}

/**
 * A stored number as its sign and coefficient × 10^exponent, the coefficient without trailing
 * zeros (600 is 6 × 10^2): the form an Ion decimal of an export takes (`6d2`).
 */
export function scaled(text: string): { negative: boolean; coefficient: bigint; exponent: number } {
  const p = decompose(text);
  if (p.digits === '') return { negative: false, coefficient: 0n, exponent: 0 };
  return { negative: p.negative, coefficient: BigInt(p.digits), exponent: p.exp - p.digits.length };
}

/** A client's number, checked against DynamoDB's range and precision. */
function parseNumber(text: string): Parts {
  const p = decompose(text);
  // 0.d × 10^exp: DynamoDB's bounds 1E-130 <= |n| < 1E+126 are exp in [-129, 126]; a zero's exp
  // is its last place's, so 0E125 is stored, 0E126 overflows, 0E-131 underflows.
  if (p.exp > 126) throw new AwsError('ValidationException', 'Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (p.exp < -129) throw new AwsError('ValidationException', 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
  if (p.digits.length > 38) throw new AwsError('ValidationException', 'Attempting to store more than 38 significant digits in a Number');
  return p;
}

function checkNumber(n: Num): Num {
  if (n.isZero()) return n;
  // decimal.js exponent e: n = d.ddd × 10^e. DynamoDB's bounds: 1E-130 <= |n| < 1E+126.
  if (n.e > 125) throw new AwsError('ValidationException', 'Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (n.e < -130) throw new AwsError('ValidationException', 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
  if (n.sd() > 38) throw new AwsError('ValidationException', 'Attempting to store more than 38 significant digits in a Number');
  return n;
}

/** Canonical text: no exponent, no leading or trailing zeros, no `-0` ("1.50E2" -> "150"). */
function formatParts({ negative, digits, exp }: Parts): string {
  if (digits === '') return '0';
  const body = exp <= 0 ? `0.${'0'.repeat(-exp)}${digits}`
    : exp >= digits.length ? digits + '0'.repeat(exp - digits.length)
    : `${digits.slice(0, exp)}.${digits.slice(exp)}`;
  return negative ? `-${body}` : body;
}

function formatNumber(n: Num): string {
  return n.isZero() ? '0' : n.toFixed();
}

export function canonicalNumber(text: string): string {
  return formatParts(parseNumber(text));
}

/** Numeric order of two numbers: the exponent decides between magnitudes, then the digits. */
export function compareNumbers(a: string, b: string): number {
  const x = decompose(a);
  const y = decompose(b);
  const sx = x.digits === '' ? 0 : x.negative ? -1 : 1;
  const sy = y.digits === '' ? 0 : y.negative ? -1 : 1;
  if (sx !== sy || sx === 0) return Math.sign(sx - sy);
  const magnitude = x.exp !== y.exp ? Math.sign(x.exp - y.exp) : x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : 0;
  return magnitude === 0 ? 0 : sx * magnitude;
}

/**
 * The result of arithmetic must fit like any stored number; DynamoDB reports a result that needs
 * more than 38 digits (1E50 + 1) as an overflow, not as a precision error.
 */
function arithmeticResult(n: Num): string {
  if (!n.isZero() && n.sd() > 38 && n.e <= 125 && n.e >= -130) {
    throw new AwsError('ValidationException', 'Number overflow. Attempting to store a number with magnitude larger than supported range');
  }
  return formatNumber(checkNumber(n));
}

export function addNumbers(a: string, b: string): string {
  return arithmeticResult(new D(a).plus(new D(b)));
}

export function subtractNumbers(a: string, b: string): string {
  return arithmeticResult(new D(a).minus(new D(b)));
}

/**
 * An encoding of a number whose byte order (memcmp, as SQLite compares BLOBs) is numeric order,
 * so key ranges are index range reads. Layout: a sign byte (0x00 negative, 0x01 zero, 0x02
 * positive), a 2-byte biased exponent and the digits; for negatives the exponent and digits are
 * complemented and a 0xFF terminator makes a shorter digit string sort after its extensions.
 */
export function numberKey(text: string): Buffer {
  const { negative, digits, exp } = decompose(text);
  if (digits === '') return Buffer.from([0x01]);
  // Normalised to 0.d1d2... × 10^exp, the exponent alone orders numbers of different magnitude.
  const biased = exp + 1000;
  if (!negative) {
    const out = Buffer.allocUnsafe(3 + digits.length);
    out[0] = 0x02;
    out.writeUInt16BE(biased, 1);
    for (let i = 0; i < digits.length; i++) out[3 + i] = digits.charCodeAt(i) - 47;
    return out;
  }
  const out = Buffer.allocUnsafe(4 + digits.length);
  out[0] = 0x00;
  out.writeUInt16BE(0xffff - biased, 1);
  for (let i = 0; i < digits.length; i++) out[3 + i] = 11 - (digits.charCodeAt(i) - 47);
  out[3 + digits.length] = 0xff;
  return out;
}

/**
 * Bytes a number occupies in DynamoDB's item size: one, plus one per pair of digits counted from
 * the decimal point outwards (base-100 digits, from the first significant one to the last), plus
 * one more for a negative number. So 123456 costs 4 but 3.14159 costs 5, and 1.5 costs 3 where 15
 * costs 2: the pairs straddling the point are counted apart. The developer guide's "one byte per two
 * significant digits, plus one" is close; these figures are the Parity Suite's byte-exact
 * recordings of the 400 KB limit (eu-west-2).
 */
export function numberSize(text: string): number {
  const { negative, digits, exp } = decompose(text);
  if (digits === '') return 1;
  // The first digit stands for 10^(exp-1), the last for 10^(exp-digits.length); pairs are 100^k.
  const pairs = Math.floor((exp - 1) / 2) - Math.floor((exp - digits.length) / 2) + 1;
  return 1 + pairs + (negative ? 1 : 0);
}
