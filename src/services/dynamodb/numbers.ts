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
  return new AwsError('ValidationException', text === '' ? 'The parameter cannot be converted to a numeric value' : `The parameter cannot be converted to a numeric value: ${text}`);
}

/** A client's number, checked against DynamoDB's range and precision. */
function parseNumber(text: string): Num {
  // No surrounding spaces, NaN or Infinity: DynamoDB accepts only plain decimal notation.
  if (!NUMERIC.test(text)) throw invalid(text);
  return checkNumber(new D(text));
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
function formatNumber(n: Num): string {
  return n.isZero() ? '0' : n.toFixed();
}

export function canonicalNumber(text: string): string {
  return formatNumber(parseNumber(text));
}

export function compareNumbers(a: string, b: string): number {
  return new D(a).cmp(new D(b));
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
  const n = new D(text);
  if (n.isZero()) return Buffer.from([0x01]);
  const digits = n.abs().toFixed().replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  // Normalise to 0.d1d2... × 10^exp so the exponent alone orders numbers of different magnitude.
  const exp = n.e + 1 + 1000;
  if (n.isPositive()) {
    const out = Buffer.alloc(3 + digits.length);
    out[0] = 0x02;
    out.writeUInt16BE(exp, 1);
    for (let i = 0; i < digits.length; i++) out[3 + i] = digits.charCodeAt(i) - 47;
    return out;
  }
  const out = Buffer.alloc(4 + digits.length);
  out[0] = 0x00;
  out.writeUInt16BE(0xffff - exp, 1);
  for (let i = 0; i < digits.length; i++) out[3 + i] = 11 - (digits.charCodeAt(i) - 47);
  out[3 + digits.length] = 0xff;
  return out;
}

/** Bytes a number occupies in DynamoDB's item size: about one byte per two significant digits, plus one. */
export function numberSize(text: string): number {
  const n = new D(text);
  if (n.isZero()) return 1;
  return Math.ceil(n.sd() / 2) + 1;
}
