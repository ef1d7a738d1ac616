import type { DeposedReason, ElectionChange, LeaderView, Term } from './election';
import type { ElectionRecord } from './election-record';
import type { ResolvedTimings } from './election-timings';

/**
 * The election's decisions, as one pure state machine shared by every adapter: given what this
 * candidate has read from the election topic and the time on its own clock, what to do next.
 * No I/O, no clock, no randomness: `step(state, input)` → `{ state, actions }`.
 *
 * Rules (docs/election.md):
 * 1. The first claim of a term above the current one, in offset order, wins that term.
 * 2. A leader heartbeats every heartbeatMs; it leads while now < leaseUntil, where leaseUntil =
 *    sentAt(last own heartbeat seen in the topic) + leaseMs. A lapsed lease deposes it.
 * 3. A caught-up standby that saw no sign of life of the current term (winning claim, heartbeat
 *    or resignation of its winner) for electionTimeoutMs, on its own clock, claims term + 1.
 *    A won term whose winner never heartbeats is thereby lost to the next claim (the grace
 *    period is the election timeout).
 * 4. A resignation makes the term vacant: standbys claim at once, the resigner only after a
 *    timeout (so the handover goes to someone else when someone else is there). A topic in
 *    which no term was ever won is claimed at once too.
 * 5. A candidate never leads a term it did not claim itself in this incarnation (a restarted
 *    process reading its old claim does not lead), and never before it has read the topic to
 *    its end.
 */
export type Role = 'starting' | 'follower' | 'leader' | 'stopped';

export interface MachineState {
  readonly self: string;
  readonly timings: ResolvedTimings;
  readonly role: Role;
  /** Highest term known to be won (0: none). Never decreases. */
  readonly term: Term;
  /** Winner of `term`, as read from the topic (null before any term). */
  readonly winner: string | null;
  /** The winner of `term` resigned: nobody leads it. */
  readonly vacant: boolean;
  /** Local time the current term last showed life (or the standby's timeout restarted). */
  readonly progressAt: number;
  /** Our claim not yet seen in the topic, with its local send time. */
  readonly claim: { readonly term: Term; readonly sentAt: number } | null;
  /** Leader only: leads while now < leaseUntil. */
  readonly leaseUntil: number;
  /** Leader only: local time of the last heartbeat sent. */
  readonly heartbeatSentAt: number;
  /** No claim before this (after resigning). */
  readonly holdOffUntil: number;
  /** Claims are for at least minTerm + 1 (a floor known from elsewhere, e.g. the event log). */
  readonly minTerm: Term;
  /** When the next tick is due: an input later than dueAt + stallBudgetMs reveals a stall. */
  readonly dueAt: number;
}

export type MachineInput =
  /** A record read from the election topic, in offset order. */
  | { readonly type: 'record'; readonly record: ElectionRecord; readonly now: number }
  /** The topic has been read up to where it ended when reading began. */
  | { readonly type: 'caught-up'; readonly now: number }
  /** A timer fired (at or after nextTickAt). */
  | { readonly type: 'tick'; readonly now: number }
  | { readonly type: 'resign'; readonly now: number }
  | { readonly type: 'stop'; readonly now: number; readonly resign: boolean };

export type MachineAction =
  | { readonly type: 'send'; readonly record: ElectionRecord }
  | { readonly type: 'notify'; readonly change: ElectionChange };

export interface StepResult {
  readonly state: MachineState;
  readonly actions: readonly MachineAction[];
}

export function initialState(self: string, timings: ResolvedTimings, now: number, minTerm: Term = 0): MachineState {
  return {
    self,
    timings,
    role: 'starting',
    term: 0,
    winner: null,
    vacant: false,
    progressAt: now,
    claim: null,
    leaseUntil: -Infinity,
    heartbeatSentAt: -Infinity,
    holdOffUntil: -Infinity,
    minTerm,
    dueAt: now + timings.heartbeatMs,
  };
}

/** True while `state` leads and its lease holds at `now`. */
export function leads(state: MachineState, now: number): boolean {
  return state.role === 'leader' && now < state.leaseUntil;
}

export function view(state: MachineState, now: number): LeaderView {
  return { term: state.term, leader: state.vacant ? null : state.winner, leading: leads(state, now) };
}

/** When the adapter should tick next (absolute, on the candidate's clock); kept as `dueAt`. */
export function nextTickAt(state: MachineState, now: number): number {
  const { heartbeatMs, electionTimeoutMs } = state.timings;
  switch (state.role) {
    case 'stopped':
      return Infinity;
    case 'leader':
      return Math.max(Math.min(state.heartbeatSentAt + heartbeatMs, state.leaseUntil), now + 1);
    case 'starting':
    case 'follower': {
      // A tick at least every heartbeat keeps stall detection working while nothing else is due.
      let at = state.dueAt > now ? state.dueAt : now + heartbeatMs;
      if (state.role === 'follower') {
        at = Math.min(at, state.claim ? state.claim.sentAt + electionTimeoutMs : claimDueAt(state));
      }
      // Whatever was due by now was done by this step: never ask for a tick in the past.
      return Math.max(at, now + 1);
    }
  }
}

export function step(state: MachineState, input: MachineInput): StepResult {
  if (state.role === 'stopped') return { state, actions: [] };
  const out: MachineAction[] = [];
  let s = afterStall(state, input.now);
  switch (input.type) {
    case 'record':
      s = applyRecord(s, input.record, input.now, out);
      break;
    case 'caught-up':
      s = catchUp(s, input.now, out);
      break;
    case 'tick':
      break;
    case 'resign':
      s = resign(s, input.now, out, 'resigned');
      break;
    case 'stop':
      s = input.resign ? resign(s, input.now, out, 'stopped') : depose(s, out, 'stopped');
      s = { ...s, role: 'stopped', claim: null };
      return { state: { ...s, dueAt: Infinity }, actions: out };
  }
  s = act(s, input.now, out);
  return { state: { ...s, dueAt: nextTickAt(s, input.now) }, actions: out };
}

/**
 * A standby whose timers ran late cannot trust that it read what the leader wrote meanwhile (its
 * reader stalled too), so it restarts its timeout rather than claim on stale silence. A leader
 * needs no such rule: its lease is measured from its own heartbeats' send times.
 */
function afterStall(s: MachineState, now: number): MachineState {
  if (s.role === 'leader' || now <= s.dueAt + s.timings.stallBudgetMs) return s;
  return {
    ...s,
    progressAt: Math.max(s.progressAt, now),
    claim: s.claim ? { ...s.claim, sentAt: Math.max(s.claim.sentAt, now) } : null,
  };
}

function applyRecord(s: MachineState, record: ElectionRecord, now: number, out: MachineAction[]): MachineState {
  switch (record.type) {
    case 'claim':
      return applyClaim(s, record, now, out);
    case 'heartbeat':
      return applyHeartbeat(s, record, now, out);
    case 'resign':
      return applyResign(s, record, now, out);
  }
}

function applyClaim(s: MachineState, claim: ElectionRecord, now: number, out: MachineAction[]): MachineState {
  if (claim.term <= s.term) {
    // A late claim for a term already won: it loses. Ours too, then: forget it.
    return s.claim && s.claim.term <= s.term ? { ...s, claim: null } : s;
  }
  const ours = claim.candidate === s.self && s.claim?.term === claim.term && s.role === 'follower';
  let next = newTerm(s, claim.term, claim.candidate, now, out);
  if (ours) {
    next = {
      ...next,
      role: 'leader',
      // Our claim's send time is our first proof of leadership; heartbeats extend it.
      leaseUntil: s.claim!.sentAt + s.timings.leaseMs,
      heartbeatSentAt: -Infinity,
    };
    out.push({ type: 'notify', change: { type: 'elected', term: claim.term } });
  }
  return next;
}

function applyHeartbeat(s: MachineState, hb: ElectionRecord, now: number, out: MachineAction[]): MachineState {
  // A heartbeat of a term we never saw won (its claim was removed by retention): its sender won it.
  if (hb.term > s.term) return newTerm(s, hb.term, hb.candidate, now, out);
  if (hb.term !== s.term || s.vacant) return s;
  if (hb.candidate !== s.winner) {
    // Only a term's winner heartbeats, and every candidate reads the same order, so this can only
    // mean our view began after retention removed the winning claim: the heartbeat is the truth.
    if (s.role === 'leader') return s;
    const next = { ...s, winner: hb.candidate, progressAt: Math.max(s.progressAt, now) };
    notifyLeader(s.role, out, { type: 'leader-changed', term: s.term, leader: hb.candidate });
    return next;
  }
  const next = { ...s, progressAt: Math.max(s.progressAt, now) };
  if (s.role === 'leader' && hb.candidate === s.self) {
    return { ...next, leaseUntil: Math.max(s.leaseUntil, hb.sentAt + s.timings.leaseMs) };
  }
  return next;
}

function applyResign(s: MachineState, r: ElectionRecord, now: number, out: MachineAction[]): MachineState {
  let next = s;
  if (r.term > s.term) next = newTerm(s, r.term, r.candidate, now, out);
  else if (r.term !== s.term || r.candidate !== s.winner || s.vacant) return s;
  next = depose(next, out, 'resigned');
  notifyLeader(next.role, out, { type: 'leader-changed', term: next.term, leader: null });
  return { ...next, vacant: true, progressAt: Math.max(next.progressAt, now) };
}

/** `term` was won by `winner`: whoever led before no longer does. */
function newTerm(s: MachineState, term: Term, winner: string, now: number, out: MachineAction[]): MachineState {
  const next = depose(s, out, 'higher-term');
  notifyLeader(next.role, out, { type: 'leader-changed', term, leader: winner });
  return {
    ...next,
    term,
    winner,
    vacant: false,
    progressAt: Math.max(s.progressAt, now),
    claim: s.claim && s.claim.term > term ? s.claim : null,
  };
}

// While catching up, changes are not reported one by one: caught-up reports the result once.
function notifyLeader(role: Role, out: MachineAction[], change: ElectionChange): void {
  if (role !== 'starting') out.push({ type: 'notify', change });
}

function depose(s: MachineState, out: MachineAction[], reason: DeposedReason): MachineState {
  if (s.role !== 'leader') return s;
  out.push({ type: 'notify', change: { type: 'deposed', term: s.term, reason } });
  return { ...s, role: 'follower', leaseUntil: -Infinity };
}

function catchUp(s: MachineState, now: number, out: MachineAction[]): MachineState {
  if (s.role !== 'starting') return s;
  out.push({
    type: 'notify',
    change: { type: 'leader-changed', term: s.term, leader: s.vacant ? null : s.winner },
  });
  // The current leader gets a full timeout from now: what we read may be old, it may be alive.
  return { ...s, role: 'follower', progressAt: Math.max(s.progressAt, now) };
}

function resign(s: MachineState, now: number, out: MachineAction[], reason: DeposedReason): MachineState {
  if (s.role !== 'leader') return s;
  out.push({ type: 'send', record: { type: 'resign', term: s.term, candidate: s.self, sentAt: now } });
  // The resigner waits a timeout before it claims again, so a standby takes the handover.
  return { ...depose(s, out, reason), holdOffUntil: now + s.timings.electionTimeoutMs };
}

/** What time alone decides: a lapsed lease, a heartbeat due, a claim due. */
function act(s: MachineState, now: number, out: MachineAction[]): MachineState {
  if (s.role === 'leader') {
    if (now >= s.leaseUntil) return depose(s, out, 'lease-expired');
    if (now < s.heartbeatSentAt + s.timings.heartbeatMs) return s;
    out.push({ type: 'send', record: { type: 'heartbeat', term: s.term, candidate: s.self, sentAt: now } });
    return { ...s, heartbeatSentAt: now };
  }
  if (s.role !== 'follower') return s;
  let next = s;
  // A claim we never saw in the topic (lost send, or we cannot read): give up on it and retry.
  if (next.claim && now >= next.claim.sentAt + s.timings.electionTimeoutMs) next = { ...next, claim: null };
  if (next.claim || now < claimDueAt(next)) return next;
  const term = Math.max(next.term, next.minTerm) + 1;
  out.push({ type: 'send', record: { type: 'claim', term, candidate: s.self, sentAt: now } });
  return { ...next, claim: { term, sentAt: now } };
}

/** When a follower may claim: at once for a vacant term, else after the election timeout. */
function claimDueAt(s: MachineState): number {
  // Nobody to wait for: the term is vacant, or no term was ever won (a new cluster).
  const nobody = s.vacant || s.winner === null;
  const silentUntil = nobody ? -Infinity : s.progressAt + s.timings.electionTimeoutMs;
  return Math.max(silentUntil, s.holdOffUntil);
}
