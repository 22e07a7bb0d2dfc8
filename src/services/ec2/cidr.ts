import { ipaddr } from '../../ipaddr.js';

/** IPv4 CIDR arithmetic for VPCs, subnets, routes and rules: blocks as [first, last] integers. */
export interface Block {
  base: number;
  bits: number;
  first: number;
  last: number;
}

/** A dotted-quad address as an integer; callers check untrusted text with isIpv4 first. */
export function ipToInt(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIpv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** Parses `a.b.c.d/n`; undefined when malformed. `strict` also demands that no host bits are set. */
export function parseCidr(text: string, strict = false): Block | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text ?? '');
  if (!m || !ipaddr.IPv4.isValidFourPartDecimal(m[1]!) || Number(m[2]) > 32) return undefined;
  const bits = Number(m[2]);
  const ip = ipToInt(m[1]!);
  const size = 2 ** (32 - bits);
  const first = ip - (ip % size);
  if (strict && first !== ip) return undefined;
  return { base: first, bits, first, last: first + size - 1 };
}

export function size(b: Block): number {
  return b.last - b.first + 1;
}

export function contains(outer: Block, inner: Block): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function overlaps(a: Block, b: Block): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function containsIp(b: Block, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= b.first && n <= b.last;
}

export function format(b: Block): string {
  return `${intToIp(b.first)}/${b.bits}`;
}

/** The i-th /bits block inside `outer` (the default VPC's subnets: 172.31.0.0/20, 172.31.16.0/20, ...). */
export function nth(outer: Block, bits: number, i: number): Block {
  const first = outer.first + i * 2 ** (32 - bits);
  return { base: first, bits, first, last: first + 2 ** (32 - bits) - 1 };
}
