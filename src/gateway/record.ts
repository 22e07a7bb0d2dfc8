/**
 * The last step of the pipeline: a CloudTrail-style event per request, kept in a bounded ring
 * that `/_nimbus/audit` shows, and a log line at `--log-level debug`.
 */
export interface AuditEvent {
  eventTime: string;
  requestId: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userIdentity: { arn: string; accountId: string };
  httpStatus: number;
  errorCode?: string;
  durationMs: number;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * What the pipeline hands over for each request: the event's time and source are kept as the
 * clock reading and endpoint prefix, and written out only when someone reads the events.
 */
export type AuditRecord = Omit<AuditEvent, 'eventTime' | 'eventSource'> & { at: number; endpointPrefix: string };

export class Recorder {
  private readonly ring: AuditRecord[] = [];
  private next = 0;

  constructor(private readonly level: LogLevel, private readonly capacity = 1000) {}

  record(r: AuditRecord): void {
    if (this.ring.length < this.capacity) this.ring.push(r);
    else this.ring[this.next] = r;
    this.next = (this.next + 1) % this.capacity;
    if (LEVELS[this.level] >= LEVELS.debug) {
      this.log('debug', `${r.requestId} ${r.endpointPrefix}.amazonaws.com.${r.eventName} ${r.httpStatus}${r.errorCode ? ' ' + r.errorCode : ''} ${r.durationMs.toFixed(1)}ms`);
    }
  }

  /** Events oldest first. */
  events(): AuditEvent[] {
    const ordered = this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.map((r) => ({
      eventTime: new Date(r.at).toISOString(),
      requestId: r.requestId,
      eventSource: `${r.endpointPrefix}.amazonaws.com`,
      eventName: r.eventName,
      awsRegion: r.awsRegion,
      sourceIPAddress: r.sourceIPAddress,
      userIdentity: r.userIdentity,
      httpStatus: r.httpStatus,
      ...(r.errorCode ? { errorCode: r.errorCode } : {}),
      durationMs: r.durationMs,
    }));
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS[level] <= LEVELS[this.level]) (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${message}\n`);
  }
}
