import { Decimal, IonTypes, makeReader, makeTextWriter, type Reader, type Writer } from 'ion-js';
import { scaled } from './numbers.js';
import type { Item, Value } from './values.js';

/**
 * Amazon Ion, the other format of exports to S3 and imports from it: one item per line, each line
 * an Ion version marker and a struct, DynamoDB's types mapped as the developer guide's tables map
 * them (S3DataExport.Output.html, S3DataImport.Format.html): S string, N decimal, B blob, BOOL
 * bool, NULL null, L list, M struct, and SS/NS/BS lists annotated `$dynamodb_SS`/`_NS`/`_BS`.
 * Writing and reading are ion-js's (Amazon's own library), so names and strings are quoted and
 * escaped as Ion requires, and an imported line may use anything Ion text allows.
 */

const SET_ANNOTATION = { SS: '$dynamodb_SS', NS: '$dynamodb_NS', BS: '$dynamodb_BS' } as const;

/**
 * One export line: a struct whose members are attribute maps in DynamoDB JSON as stored (binaries
 * in base64), `{"Item":{...}}` for a full export, `Metadata`/`Keys`/`NewImage`/`OldImage` for an
 * incremental one.
 */
export function ionLine(record: Record<string, Record<string, unknown>>): string {
  const w = makeTextWriter();
  w.stepIn(IonTypes.STRUCT);
  for (const [name, attributes] of Object.entries(record)) {
    w.writeFieldName(name);
    writeMap(w, attributes);
  }
  w.stepOut();
  w.close();
  return `$ion_1_0 ${Buffer.from(w.getBytes()).toString('utf8')}`;
}

function writeMap(w: Writer, attributes: Record<string, unknown>): void {
  w.stepIn(IonTypes.STRUCT);
  for (const [name, value] of Object.entries(attributes)) {
    w.writeFieldName(name);
    writeValue(w, value as Record<string, unknown>);
  }
  w.stepOut();
}

/** A number as DynamoDB's Java writer puts it: 600 as `6d2`, 103 as `103.`, 1.5 as `1.5`. */
const decimal = (n: string) => {
  const { negative, coefficient, exponent } = scaled(n);
  return new Decimal(coefficient, exponent, negative);
};

function writeValue(w: Writer, v: Record<string, unknown>): void {
  if (typeof v['S'] === 'string') w.writeString(v['S']);
  else if (typeof v['N'] === 'string') w.writeDecimal(decimal(v['N']));
  else if (typeof v['B'] === 'string') w.writeBlob(Buffer.from(v['B'], 'base64'));
  else if (typeof v['BOOL'] === 'boolean') w.writeBoolean(v['BOOL']);
  else if (v['NULL'] !== undefined) w.writeNull(IonTypes.NULL);
  else if (Array.isArray(v['L'])) {
    w.stepIn(IonTypes.LIST);
    for (const e of v['L']) writeValue(w, e as Record<string, unknown>);
    w.stepOut();
  } else if (v['M'] !== undefined) writeMap(w, v['M'] as Record<string, unknown>);
  else {
    const set = (['SS', 'NS', 'BS'] as const).find((t) => Array.isArray(v[t]))!;
    w.setAnnotations([SET_ANNOTATION[set]]);
    w.stepIn(IonTypes.LIST);
    for (const e of v[set] as string[]) {
      if (set === 'SS') w.writeString(e);
      else if (set === 'NS') w.writeDecimal(decimal(e));
      else w.writeBlob(Buffer.from(e, 'base64'));
    }
    w.stepOut();
  }
}

/**
 * The item of one import line, `{Item:{...}}` after the version marker, its attribute values
 * mapped back: decimal (and int and float, which are numbers too) N, string and symbol S, blob B,
 * any null NULL; a value Ion has and DynamoDB has not (a timestamp, a clob, an s-expression) or a
 * line that is not such a struct throws, and the line counts as an item that failed validation.
 */
export function ionItem(text: string): Item {
  const r = makeReader(text);
  if (r.next() !== IonTypes.STRUCT) throw new Error('The line is not an Ion struct');
  r.stepIn();
  let item: Item | undefined;
  while (r.next() !== null) {
    if (r.fieldName() !== 'Item' || r.type() !== IonTypes.STRUCT || r.isNull()) throw new Error('The line is not an item in Amazon Ion: {Item:{...}}');
    item = readMap(r);
  }
  r.stepOut();
  if (!item || r.next() !== null) throw new Error('The line is not one item in Amazon Ion: {Item:{...}}');
  return item;
}

function readMap(r: Reader): Record<string, Value> {
  const map: Record<string, Value> = {};
  r.stepIn();
  while (r.next() !== null) map[r.fieldName()!] = readValue(r);
  r.stepOut();
  return map;
}

function readValue(r: Reader): Value {
  const type = r.type()!;
  if (r.isNull()) return { NULL: true };
  const set = r.annotations().find((a) => a === SET_ANNOTATION.SS || a === SET_ANNOTATION.NS || a === SET_ANNOTATION.BS);
  if (set) {
    if (type !== IonTypes.LIST) throw new Error(`${set} annotates a ${type.name}, not a list`);
    const members: Value[] = [];
    r.stepIn();
    while (r.next() !== null) members.push(readValue(r));
    r.stepOut();
    if (set === SET_ANNOTATION.SS) return { SS: members.map((m) => (m.S !== undefined ? m.S : unexpected(set))) };
    if (set === SET_ANNOTATION.NS) return { NS: members.map((m) => (m.N !== undefined ? m.N : unexpected(set))) };
    return { BS: members.map((m) => (m.B !== undefined ? m.B : unexpected(set))) };
  }
  switch (type) {
    case IonTypes.STRING:
    case IonTypes.SYMBOL: return { S: r.stringValue()! };
    case IonTypes.BOOL: return { BOOL: r.booleanValue()! };
    case IonTypes.DECIMAL: return { N: r.decimalValue()!.toString() };
    case IonTypes.INT: return { N: String(r.bigIntValue()) };
    case IonTypes.FLOAT: {
      const n = r.numberValue()!;
      if (!Number.isFinite(n)) throw new Error(`${n} is no DynamoDB number`);
      return { N: String(n) };
    }
    case IonTypes.BLOB: return { B: Buffer.from(r.uInt8ArrayValue()!) };
    case IonTypes.LIST: {
      const list: Value[] = [];
      r.stepIn();
      while (r.next() !== null) list.push(readValue(r));
      r.stepOut();
      return { L: list };
    }
    case IonTypes.STRUCT: return { M: readMap(r) };
    default: throw new Error(`Ion ${type.name} values have no DynamoDB type`);
  }
}

function unexpected(set: string): never {
  throw new Error(`${set} holds a member of another type`);
}
