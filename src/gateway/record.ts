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

export class Recorder {
  private readonly ring: AuditEvent[] = [];
  private next = 0;

  constructor(private readonly level: LogLevel, private readonly capacity = 1000) {}

  record(event: AuditEvent): void {
    if (this.ring.length < this.capacity) this.ring.push(event);
    else this.ring[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    if (LEVELS[this.level] >= LEVELS.debug) {
      this.log('debug', `${event.requestId} ${event.eventSource}.${event.eventName} ${event.httpStatus}${event.errorCode ? ' ' + event.errorCode : ''} ${event.durationMs.toFixed(1)}ms`);
    }
  }

  /** Events oldest first. */
  events(): AuditEvent[] {
    return this.ring.length < this.capacity ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS[level] <= LEVELS[this.level]) (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${message}\n`);
  }
}
