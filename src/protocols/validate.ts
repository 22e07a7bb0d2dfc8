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
  if (shape) checkStructure(model, model.resolve(shape), input, '', out);
  return out.slice(0, MAX_REPORTED);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (Buffer.isBuffer(value)) return `'${value.toString('base64')}'`;
  return String(value);
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
    if (v === undefined || v === null) continue;
    checkValue(model, m.shape, v, path + lowerFirst(m.name), m.name, out);
  }
}

function checkValue(model: ServiceModel, shape: Shape, value: unknown, path: string, member: string, out: Violation[]): void {
  if (out.length >= MAX_REPORTED) return;
  const fail = (kind: Violation['kind'], constraint: string) =>
    out.push({ path, member, kind, message: `Value ${show(value)} at '${path}' failed to satisfy constraint: ${constraint}` });
  switch (shape.type) {
    case 'structure':
      if (typeof value === 'object' && !shape.document) checkStructure(model, shape, value as Record<string, unknown>, path + '.', out);
      return;
    case 'list': {
      const items = value as unknown[];
      if (shape.min !== undefined && items.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && items.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      const member = model.resolve(shape.member!);
      items.forEach((item, i) => checkValue(model, member, item, `${path}.${i + 1}.member`, member.locationName ?? 'member', out));
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.min !== undefined && entries.length < shape.min) fail('length', `Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && entries.length > shape.max) fail('length', `Member must have length less than or equal to ${shape.max}`);
      const valueShape = model.resolve(shape.value!);
      for (const [k, v] of entries) checkValue(model, valueShape, v, `${path}.${k}.member`, k, out);
      return;
    }
    case 'string': {
      const s = value as string;
      if (shape.enum && !shape.enum.includes(s)) {
        fail('enum', `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
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
