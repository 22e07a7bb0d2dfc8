import type { Shape, ServiceModel } from './model.js';

/**
 * Input checks from the model, before any handler runs: required members, enums, string and
 * list lengths, number ranges. Each violation carries AWS's wording; the protocol decides the
 * error code it travels in.
 */
export interface Violation {
  /** lowerCamel path as AWS writes it: `keySchema.1.member.attributeName`. */
  path: string;
  /** The member name as the caller wrote it (EC2's MissingParameter names it). */
  member: string;
  kind: 'required' | 'enum' | 'length' | 'range';
  message: string;
}

const MAX_REPORTED = 10;

export function validate(model: ServiceModel, shape: Shape | undefined, input: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  if (shape) {
    const resolved = model.resolve(shape);
    if (mayFail(model, resolved)) checkStructure(model, resolved, input, '', out);
  }
  return out.slice(0, MAX_REPORTED);
}

/**
 * How a violation shows the offending value. AWS's JSON services quote every value, numbers and
 * lists included, and write structures and maps as JSON (`Value '[]' at 'attributesToGet'`,
 * `Value '0' at 'limit'`); the other protocols' messages keep the older form.
 */
function shower(model: ServiceModel): (value: unknown) => string {
  return model.protocol === 'json' ? showQuoted : show;
}

function showQuoted(value: unknown): string {
  return value === undefined || value === null ? 'null' : `'${plain(value)}'`;
}

function plain(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return `[${value.map(plain).join(', ')}]`;
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)
    ? Buffer.from((v as { data: number[] }).data).toString('base64') : v));
}

/**
 * The order AWS's own validator lists an enum's values in, where it is not the published model's
 * (which sorts them otherwise), by service and by the values' set. DynamoDB's are as its
 * ValidationExceptions write them (recorded by dynalite's validations).
 */
const ENUM_ORDER: Record<string, string[][]> = {
  dynamodb: [
    ['ALL_NEW', 'UPDATED_OLD', 'ALL_OLD', 'NONE', 'UPDATED_NEW'],
    ['IN', 'NULL', 'BETWEEN', 'LT', 'NOT_CONTAINS', 'EQ', 'GT', 'NOT_NULL', 'NE', 'LE', 'BEGINS_WITH', 'GE', 'CONTAINS'],
    ['OR', 'AND'],
    ['SPECIFIC_ATTRIBUTES', 'COUNT', 'ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES'],
    ['ALL', 'INCLUDE', 'KEYS_ONLY'],
    ['B', 'N', 'S'],
  ],
};

function enumOrder(model: ServiceModel, values: string[]): string[] {
  const key = [...values].sort().join();
  return ENUM_ORDER[model.id]?.find((o) => o.length === values.length && [...o].sort().join() === key) ?? values;
}

/**
 * Whether a value of the shape can break any constraint, that is whether the shape or a shape
 * below it has one: values of shapes that cannot (DynamoDB's items, whose AttributeValues
 * constrain nothing) are not walked. Worked out once per resolved shape (each belongs to one model).
 */
const failing = new WeakMap<Shape, boolean>();

function mayFail(model: ServiceModel, shape: Shape): boolean {
  let answer = failing.get(shape);
  if (answer === undefined) {
    // Shapes are recursive (an AttributeValue holds maps of AttributeValues): search what is reachable.
    const seen = new Set<Shape>();
    const reachesConstraint = (s: Shape): boolean => {
      if (seen.has(s)) return false;
      seen.add(s);
      if (ownConstraint(s)) return true;
      return below(model, s).some(reachesConstraint);
    };
    answer = reachesConstraint(shape);
    failing.set(shape, answer);
  }
  return answer;
}

function ownConstraint(shape: Shape): boolean {
  switch (shape.type) {
    case 'structure':
      return !shape.document && (shape.required ?? []).some((name) => shape.members?.[name]?.location !== 'uri');
    case 'string':
      return shape.enum !== undefined || shape.min !== undefined || shape.max !== undefined;
    case 'list': case 'map': case 'blob': case 'integer': case 'long': case 'float': case 'double':
      return shape.min !== undefined || shape.max !== undefined;
    default:
      return false;
  }
}

/** The shapes checkValue descends into from a value of `shape`. */
function below(model: ServiceModel, shape: Shape): Shape[] {
  switch (shape.type) {
    case 'structure': return shape.document ? [] : model.members(shape).list.map((m) => m.shape);
    case 'list': return [model.resolve(shape.member!)];
    case 'map': return [model.resolve(shape.value!)];
    default: return [];
  }
}

/** Member names as AWS writes them in paths, kept: every request with a checked member needs them. */
const lowerCamel = new Map<string, string>();

function lowerFirst(s: string): string {
  let out = lowerCamel.get(s);
  if (out === undefined) lowerCamel.set(s, out = s.charAt(0).toLowerCase() + s.slice(1));
  return out;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (Buffer.isBuffer(value)) return `'${value.toString('base64')}'`;
  return String(value);
}

function lengthOutside(shape: Shape, value: unknown): boolean {
  if (shape.type !== 'list' && shape.type !== 'string') return false;
  const n = (value as unknown[] | string).length;
  return (shape.min !== undefined && n < shape.min) || (shape.max !== undefined && n > shape.max);
}

function lengthBounds(shape: Shape): string {
  return [shape.max !== undefined ? `Member must have length less than or equal to ${shape.max}` : undefined,
    shape.min !== undefined ? `Member must have length greater than or equal to ${shape.min}` : undefined].filter(Boolean).join(', ');
}

function checkStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, out: Violation[]): void {
  for (const name of shape.required ?? []) {
    const ref = shape.members?.[name];
    // Members bound to the URI or the status line are checked by routing, not here.
    if (ref?.location === 'uri') continue;
    if (value[name] === undefined || value[name] === null) {
      const at = path + lowerFirst(name);
      out.push({ path: at, member: name, kind: 'required', message: `Value null at '${at}' failed to satisfy constraint: Member must not be null` });
    }
  }
  for (const m of model.members(shape).list) {
    const v = value[m.name];
    if (v === undefined || v === null || !mayFail(model, m.shape)) continue;
    checkValue(model, m.shape, v, path + lowerFirst(m.name), m.name, out);
  }
}

function checkValue(model: ServiceModel, shape: Shape, value: unknown, path: string, member: string, out: Violation[]): void {
  if (out.length >= MAX_REPORTED) return;
  const fail = (kind: Violation['kind'], constraint: string) =>
    out.push({ path, member, kind, message: `Value ${shower(model)(value)} at '${path}' failed to satisfy constraint: ${constraint}` });
  switch (shape.type) {
    case 'structure':
      if (typeof value === 'object' && !shape.document) checkStructure(model, shape, value as Record<string, unknown>, path + '.', out);
      return;
    case 'list': {
      const items = value as unknown[];
      if (shape.min !== undefined && items.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && items.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      const member = model.resolve(shape.member!);
      if (mayFail(model, member)) items.forEach((item, i) => checkValue(model, member, item, `${path}.${i + 1}.member`, member.locationName ?? 'member', out));
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.min !== undefined && entries.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && entries.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      const valueShape = model.resolve(shape.value!);
      if (!mayFail(model, valueShape)) return;
      for (const [k, v] of entries) {
        if (model.protocol === 'json' && lengthOutside(valueShape, v)) {
          // AWS's JSON services judge a map value's own length at the map, naming both bounds.
          fail('length', `Map value must satisfy constraint: [${lengthBounds(valueShape)}]`);
          continue;
        }
        checkValue(model, valueShape, v, `${path}.${k}.member`, k, out);
      }
      return;
    }
    case 'string': {
      const s = value as string;
      if (shape.enum && !shape.enum.includes(s)) {
        fail('enum', `Member must satisfy enum value set: [${enumOrder(model, shape.enum).join(', ')}]`);
        return;
      }
      if (shape.min !== undefined && s.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      else if (shape.max !== undefined && s.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      return;
    }
    case 'blob': {
      const len = Buffer.isBuffer(value) ? value.length : undefined;
      if (len === undefined) return;
      if (shape.min !== undefined && len < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      else if (shape.max !== undefined && len > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      return;
    }
    case 'integer': case 'long': case 'float': case 'double': {
      const n = value as number;
      if (shape.min !== undefined && n < shape.min) fail('range', `Member must have value greater than or equal to ${shape.min}`);
      else if (shape.max !== undefined && n > shape.max) fail('range', `Member must have value less than or equal to ${shape.max}`);
      return;
    }
    default:
      return;
  }
}
