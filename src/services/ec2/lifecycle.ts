import { due, put, remove, resourceType, type Scope } from './store.js';

/**
 * Transitional states settle on the next request (DESIGN.md §3): a call answers `pending`,
 * `stopping`, `creating`; the next read shows `running`, `stopped`, `available`, so waiters
 * return at once. With `--realistic-timing` each transition comes due after about as long as
 * AWS takes, on the same clock, so `/_nimbus/clock` can skip the wait. What is deleted stays visible for an hour (terminated instances, deleted NAT
 * gateways), then is gone — on `ctx.clock`, which `/_nimbus/clock` can move.
 */
export const LINGER_MS = 60 * 60 * 1000;

/** What schedules a transition: the clock, and whether Nimbus runs with `--realistic-timing`. */
export interface Timing {
  clock: { now(): number };
  realisticTiming?: boolean;
}

/**
 * How long each transition takes in AWS, roughly, for `--realistic-timing`: an instance is
 * running after some 15 s, stops in about 30; a NAT gateway is available after a minute or two.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
 */
const DURATIONS_MS = {
  /** pending -> running, on launch and on start. */
  'instance-start': 15_000,
  'instance-stop': 30_000,
  'instance-terminate': 20_000,
  /** creating -> available, attaching -> attached, detaching -> detached, deleting -> gone. */
  volume: 8_000,
  /** pending -> completed; an AMI is available once its snapshots are. */
  snapshot: 60_000,
  'nat-create': 90_000,
  'nat-delete': 60_000,
} as const;

export type Transition = keyof typeof DURATIONS_MS;

/** When a transition begun now comes due: at once, unless the timing is realistic. */
export function dueAt(t: Timing, transition: Transition): number {
  return t.clock.now() + (t.realisticTiming ? DURATIONS_MS[transition] : 0);
}

type Doc = Record<string, any>;
/** The next form of a document whose transition is due, when it next changes, or `gone`. */
type Step = { doc: Doc; dueAt: number | null } | 'gone';

const INSTANCE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 } as const;

export function instanceState(name: keyof typeof INSTANCE_CODES) {
  return { Code: INSTANCE_CODES[name], Name: name };
}

function instance(doc: Doc, now: number): Step {
  switch (doc.State.Name) {
    case 'pending':
      return { doc: { ...doc, State: instanceState('running') }, dueAt: null };
    case 'stopping':
      return { doc: { ...doc, State: instanceState('stopped'), StateReason: { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' } }, dueAt: null };
    case 'shutting-down':
      return { doc: { ...doc, State: instanceState('terminated'), StateReason: { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' } }, dueAt: (doc._terminatedAt ?? now) + LINGER_MS };
    case 'terminated':
      return 'gone';
    default:
      return { doc, dueAt: null };
  }
}

function volume(doc: Doc): Step {
  const attachments = (doc.Attachments ?? [])
    .filter((a: Doc) => a.State !== 'detaching')
    .map((a: Doc) => (a.State === 'attaching' ? { ...a, State: 'attached' } : a));
  const state = doc.State === 'creating' ? 'available' : attachments.length > 0 ? 'in-use' : doc.State === 'in-use' ? 'available' : doc.State;
  if (doc.State === 'deleting') return 'gone';
  return { doc: { ...doc, State: state, Attachments: attachments }, dueAt: null };
}

const STEPS: Record<string, (doc: Doc, now: number) => Step> = {
  instance,
  volume,
  snapshot: (doc) => ({ doc: { ...doc, State: 'completed', Progress: '100%' }, dueAt: null }),
  image: (doc) => ({ doc: { ...doc, State: 'available' }, dueAt: null }),
  natgateway: (doc, now) => doc.State === 'pending' ? { doc: { ...doc, State: 'available' }, dueAt: null }
    : doc.State === 'deleting' ? { doc: { ...doc, State: 'deleted', DeleteTime: new Date(now).toISOString() }, dueAt: (doc._deletedAt ?? now) + LINGER_MS }
    : 'gone',
  'network-insights-analysis': (doc) => ({ doc: { ...doc, Status: 'succeeded' }, dueAt: null }),
};

/** Moves every resource whose transition is due to its next state. */
export function settle(s: Scope, now: number): void {
  for (const row of due(s, now)) {
    const stepOf = STEPS[resourceType(row.id) ?? ''];
    if (!stepOf) continue;
    const step = stepOf(JSON.parse(row.doc), now);
    if (step === 'gone') remove(s, row.id);
    else put(s, row.id, step.doc, step.dueAt);
  }
}
