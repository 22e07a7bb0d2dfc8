/**
 * The one error type a handler throws. The protocol encoder writes it in the wire shape of the
 * service (JSON `__type`, query `<ErrorResponse>`, EC2 `<Response><Errors>`, S3 `<Error>`).
 */
export interface AwsErrorOptions {
  /** HTTP status; when omitted, the model's error shape decides, else 400. */
  status?: number;
  /** Query/EC2 error `Type`: Sender (client fault, default) or Receiver (server fault). */
  sender?: boolean;
  /** Extra members written next to Code/Message (e.g. S3's BucketName, DynamoDB's CancellationReasons). */
  fields?: Record<string, unknown>;
  /** Extra response headers (e.g. S3's x-amz-delete-marker on a 404). */
  headers?: Record<string, string>;
}

export class AwsError extends Error {
  readonly code: string;
  status: number | undefined;
  readonly sender: boolean;
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, options: AwsErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = options.status;
    this.sender = options.sender ?? (options.status === undefined || options.status < 500);
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}

/** A failure of ours, not of the caller: encoded as 500 InternalFailure without leaking a stack. */
export function internalError(): AwsError {
  return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', { status: 500 });
}
