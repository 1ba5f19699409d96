/**
 * The instance state machine, as EC2 has it: each state with its code, what each request
 * (start, stop, terminate) does from each state, and the reasons EC2 writes as it goes. Pure:
 * the requests' writes and the controller's completions both go through here.
 *
 *   pending(0) ──host started──▶ running(16) ──stop──▶ stopping(64) ──host stopped──▶ stopped(80)
 *      ▲                                                                              │
 *      └───────────────────────────────start──────────────────────────────────────────┘
 *   any but terminated ──terminate──▶ shutting-down(32) ──host removed──▶ terminated(48)
 */

/** Why an instance is in its state, as EC2 shows it (StateReason). */
export interface StateReasonRecord {
  code: string;
  message: string;
}

/** EC2's instance states. */
export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** Each state's code (the low byte of EC2's 16-bit InstanceState.Code). */
export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80,
};

/** A request a user makes of an instance. */
export type InstanceRequest = 'start' | 'stop' | 'terminate';

/** What a request does from a state: the state it moves to (the same one when it has nothing to do), or refused. */
export type RequestOutcome = { to: InstanceStateName } | { refused: true };

const REQUESTS: Record<InstanceRequest, Partial<Record<InstanceStateName, InstanceStateName>>> = {
  start: { stopped: 'pending', pending: 'pending', running: 'running' },
  stop: { pending: 'stopping', running: 'stopping', stopping: 'stopping', stopped: 'stopped' },
  terminate: {
    pending: 'shutting-down', running: 'shutting-down', stopping: 'shutting-down', stopped: 'shutting-down',
    'shutting-down': 'shutting-down', terminated: 'terminated',
  },
};

/** The outcome of `request` on an instance in `state`. */
export function requestOutcome(state: InstanceStateName, request: InstanceRequest): RequestOutcome {
  const to = REQUESTS[request][state];
  return to === undefined ? { refused: true } : { to };
}

/** The state the controller moves an instance to once its host did what the state asks; undefined for a settled state. */
export function completion(state: InstanceStateName): InstanceStateName | undefined {
  switch (state) {
    case 'pending': return 'running';
    case 'stopping': return 'stopped';
    case 'shutting-down': return 'terminated';
    default: return undefined;
  }
}

/** EC2's time in a StateTransitionReason: `2026-01-02 03:04:05 GMT`. */
export function gmt(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** What EC2 writes of a user's stop or terminate. */
export const USER_SHUTDOWN: StateReasonRecord = {
  code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown',
};

/** The StateReason of an instance that is starting. */
export const PENDING: StateReasonRecord = { code: 'pending', message: 'pending' };

/** The reasons an instance shows once moved to `to` by a user's request at `at`. */
export function reasonsOfRequest(to: InstanceStateName, at: number): { stateTransitionReason: string; stateReason?: StateReasonRecord } {
  if (to === 'pending') return { stateTransitionReason: '', stateReason: PENDING };
  return { stateTransitionReason: `User initiated (${gmt(at)})`, stateReason: USER_SHUTDOWN };
}

/** How long a terminated instance stays visible, about as long as in EC2. */
export const TERMINATED_VISIBLE_MS = 60 * 60_000;

/** Whether a terminated instance is still shown at `now`. */
export const visibleAt = (terminatedAt: number | undefined, now: number): boolean => terminatedAt === undefined || now - terminatedAt < TERMINATED_VISIBLE_MS;
