import type { Clock } from '../../state/clock.js';
import type { ServiceEnv } from '../service.js';

/**
 * Long polling: ReceiveMessage calls waiting on a queue. A send (or a message moved in) wakes
 * every waiter of that queue at once, so a long poll returns as soon as a message arrives; a
 * clock timer wakes them when a delayed or in-flight message becomes visible, or the wait ends.
 */
export class Waiters {
  private readonly byQueue = new Map<string, Set<() => void>>();

  /** Resolves on the next notify of `arn`, at clock time `until`, or when `abandoned` fires. */
  wait(arn: string, until: number, clock: Clock, abandoned: (stop: () => void) => () => void): Promise<void> {
    return new Promise((resolve) => {
      let set = this.byQueue.get(arn);
      if (!set) this.byQueue.set(arn, (set = new Set()));
      const done = () => {
        timer.cancel();
        unlisten();
        set!.delete(done);
        if (set!.size === 0 && this.byQueue.get(arn) === set) this.byQueue.delete(arn);
        resolve();
      };
      const timer = clock.at(until, done);
      const unlisten = abandoned(done);
      set.add(done);
    });
  }

  notify(arn: string): void {
    const set = this.byQueue.get(arn);
    if (set) for (const wake of [...set]) wake();
  }
}

export function waiters(env: ServiceEnv): Waiters {
  return env.memory('sqs.waiters', () => new Waiters());
}
