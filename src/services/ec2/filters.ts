import type { Filter, Tag } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';

/**
 * The Filters of EC2's Describe calls, one implementation for all of them. A resource matches
 * when, for every filter, one of its values matches one of the filter's values; values may use
 * `*` and `?` wildcards. `tag:<key>`, `tag-key` and `tag-value` work wherever the resource has
 * tags. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html
 */
export type FilterValue = string | number | boolean | undefined | null;
export type Fields<T> = Record<string, (r: T) => FilterValue | FilterValue[]>;

function pattern(value: string): RegExp {
  const escaped = value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

function asList(v: FilterValue | FilterValue[]): string[] {
  return (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null).map(String);
}

function tagsOf(r: object): Tag[] {
  return (r as { Tags?: Tag[] }).Tags ?? [];
}

export function applyFilters<T extends object>(items: T[], filters: Filter[] | undefined, fields: Fields<T>): T[] {
  if (!filters || filters.length === 0) return items;
  const tests = filters.map((f) => {
    const name = f.Name ?? '';
    const res = (f.Values ?? []).map(pattern);
    let get: (r: T) => string[];
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      get = (r) => tagsOf(r).filter((t) => t.Key === key).map((t) => t.Value ?? '');
    } else if (name === 'tag-key') get = (r) => tagsOf(r).map((t) => t.Key ?? '');
    else if (name === 'tag-value') get = (r) => tagsOf(r).map((t) => t.Value ?? '');
    else {
      const field = fields[name];
      if (!field) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`, { status: 400 });
      get = (r) => asList(field(r));
    }
    return (r: T) => get(r).some((v) => res.some((re) => re.test(v)));
  });
  return items.filter((r) => tests.every((t) => t(r)));
}

/** The ids a Describe call asked for, in the order they exist; a missing one is AWS's NotFound error. */
export function byIds<T>(items: T[], ids: string[] | undefined, idOf: (r: T) => string, notFound: (missing: string[]) => AwsError): T[] {
  if (!ids || ids.length === 0) return items;
  const wanted = new Set(ids);
  const found = items.filter((r) => wanted.has(idOf(r)));
  const have = new Set(found.map(idOf));
  const missing = [...wanted].filter((id) => !have.has(id));
  if (missing.length > 0) throw notFound(missing);
  return found;
}

/** `The instance ID 'i-1' does not exist` / `The instance IDs 'i-1, i-2' do not exist`. */
export function notFound(code: string, noun: string) {
  return (missing: string[]) => new AwsError(code, missing.length === 1
    ? `The ${noun} ID '${missing[0]}' does not exist`
    : `The ${noun} IDs '${missing.join(', ')}' do not exist`, { status: 400 });
}

/**
 * NextToken/MaxResults paging. The token is the position of the next item, opaque to callers.
 * Each operation documents its own bounds (DescribeInstances: 5-1000).
 */
export function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, bounds = { min: 5, max: 1000 }): { page: T[]; NextToken?: string } {
  let start = 0;
  if (nextToken) {
    const n = Number(Buffer.from(nextToken, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Buffer.from(nextToken, 'base64url').toString('utf8').startsWith('o:') || !Number.isInteger(n) || n < 0) {
      throw new AwsError('InvalidParameterValue', `Invalid value '${nextToken}' for nextToken`, { status: 400 });
    }
    start = n;
  }
  if (maxResults === undefined) return { page: items.slice(start) };
  if (maxResults < bounds.min || maxResults > bounds.max) {
    throw new AwsError('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between ${bounds.min} and ${bounds.max}.`, { status: 400 });
  }
  const end = start + maxResults;
  return { page: items.slice(start, end), ...(end < items.length ? { NextToken: Buffer.from(`o:${end}`).toString('base64url') } : {}) };
}
