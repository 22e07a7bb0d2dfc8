import type { Readable } from 'node:stream';
import type { HttpRequest } from '../gateway/request.js';
import type { AwsError } from './errors.js';
import type { Operation, Protocol, ServiceModel } from './model.js';
import type { Violation } from './validate.js';

/** What a codec needs to know of the route beyond the request itself. */
export interface RouteInfo {
  service: string;
  region: string;
  /** S3 virtual-hosted addressing: the bucket named by the Host header. */
  hostBucket?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | Readable;
}

export interface Decoded {
  operation: Operation;
  input: Record<string, unknown>;
}

/** One wire protocol: request -> operation + typed input; output or error -> response. */
export interface Codec {
  readonly protocol: Protocol;
  decode(req: HttpRequest, model: ServiceModel, route: RouteInfo): Promise<Decoded>;
  encode(model: ServiceModel, op: Operation, output: unknown, requestId: string): HttpResponse;
  encodeError(model: ServiceModel, err: AwsError, requestId: string): HttpResponse;
  /** The protocol's error for input that breaks the model's constraints. */
  validationError(violations: Violation[]): AwsError;
}

/**
 * A success status the model cannot express, chosen by the handler: S3's GetObject answers
 * `206 Partial Content` for a byte range although its output binds no status code.
 */
export const HTTP_STATUS = Symbol('nimbus.httpStatus');

export function withStatus<T extends object>(output: T, status: number): T {
  return Object.assign(output, { [HTTP_STATUS]: status });
}

/** Response headers that no output member binds (S3's CORS headers on an ordinary response). */
export const HTTP_HEADERS = Symbol('nimbus.httpHeaders');

export function withHeaders<T extends object>(output: T, headers: Record<string, string>): T {
  const own = (output as { [HTTP_HEADERS]?: Record<string, string> })[HTTP_HEADERS] ?? {};
  return Object.assign(output, { [HTTP_HEADERS]: { ...own, ...headers } });
}

/** HTTP status of an error: the handler's choice, else the model's, else 400. */
export function errorStatus(model: ServiceModel, err: AwsError): number {
  return err.status ?? model.errorShape(err.code)?.error?.httpStatusCode ?? 400;
}

/** The "N validation errors detected: ..." message that AWS's JSON and query services write. */
export function validationMessage(violations: Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ` + violations.map((v) => v.message).join('; ');
}

export function base64(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(String(value)).toString('base64');
}
