/**
 * The one clock of a Nimbus instance (DESIGN.md §3). Real time plus an offset that
 * `/_nimbus/clock` moves forward, so a test or a learner can skip an hour instead of waiting
 * for it. Timers are set in clock time and fire either when real time reaches them or at once
 * when the clock is advanced past them.
 */
interface Timer {
  dueAt: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export interface TimerHandle {
  cancel(): void;
}

export class Clock {
  private offsetMs: number;
  private timers: Timer[] = [];
  private seq = 0;
  private wakeup: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(offsetMs = 0, private readonly onOffsetChange: (offsetMs: number) => void = () => {}) {
    this.offsetMs = offsetMs;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  date(): Date {
    return new Date(this.now());
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Move the clock forward; every timer now due fires, in due order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    this.onOffsetChange(this.offsetMs);
    this.fireDue();
  }

  /** Run `fn` when the clock reaches `dueAt` (milliseconds since the epoch, clock time). */
  at(dueAt: number, fn: () => void): TimerHandle {
    const timer: Timer = { dueAt, seq: this.seq++, fn, cancelled: false };
    // Timers are few (a handful per resource in transition); a sorted insert keeps firing order simple.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.dueAt > dueAt) i--;
    this.timers.splice(i, 0, timer);
    if (i === 0) this.arm();
    return { cancel: () => { timer.cancelled = true; } };
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.at(this.now() + ms, fn);
  }

  stop(): void {
    this.stopped = true;
    if (this.wakeup) clearTimeout(this.wakeup);
    this.timers = [];
  }

  private fireDue(): void {
    const now = this.now();
    while (this.timers.length > 0 && this.timers[0]!.dueAt <= now) {
      const timer = this.timers.shift()!;
      if (!timer.cancelled) timer.fn();
    }
    this.arm();
  }

  private arm(): void {
    if (this.wakeup) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    if (this.stopped || this.timers.length === 0) return;
    const delay = Math.max(0, Math.min(this.timers[0]!.dueAt - this.now(), 2 ** 31 - 1));
    this.wakeup = setTimeout(() => this.fireDue(), delay);
    this.wakeup.unref();
  }
}

/** Durations as `/_nimbus/clock` accepts them: `90`, `90s`, `15m`, `2h`, `7d` (or a number of seconds). */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
