/**
 * Property tests for `evaluate` over random policy sets: an explicit deny always wins, and the
 * order of statements and of policies never changes the decision.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import { ACCOUNT, OTHER, root, session, user } from './testing.ts';
import type { EvaluationRequest, PolicyKind, RequestPrincipal } from './types.ts';

type Raw = Record<string, unknown>;

const ACTIONS = ['ecs:RunTask', 'ecs:StopTask', 'ecr:BatchGetImage', 'iam:GetUser', 's3:GetObject'];
const ACTION_PATTERNS = [...ACTIONS, 'ecs:*', '*', 'ecr:Batch*', 'iam:Get?ser', 's3:*Object', 'ECS:runtask'];
const RESOURCES = [`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/a`, `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/b`, 'arn:aws:s3:::bucket/key', '*'];
const RESOURCE_PATTERNS = ['*', 'arn:aws:ecs:*:*:cluster/*', `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/a`, 'arn:aws:s3:::bucket/*', 'arn:aws:*', 'arn:aws:ecs:*:*:cluster/${aws:username}'];
const PRINCIPALS: unknown[] = ['*', { AWS: ACCOUNT }, { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, { AWS: OTHER }];

const condition = fc.option(
  fc.oneof(
    fc.record({ StringEquals: fc.constantFrom({ 'aws:RequestTag/team': 'web' }, { 'aws:PrincipalTag/team': ['web', 'api'] }) }),
    fc.record({ StringNotLike: fc.constant({ 'aws:RequestTag/team': 'w*' }) }),
    fc.record({ 'ForAllValues:StringEquals': fc.constant({ 'aws:TagKeys': ['team', 'env'] }) }),
    fc.record({ Null: fc.constant({ 'aws:RequestTag/team': 'true' }) }),
  ),
  { nil: undefined },
);

const statement = (withPrincipal: boolean): fc.Arbitrary<Raw> =>
  fc
    .record({
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      not: fc.boolean(),
      notResource: fc.boolean(),
      actions: fc.subarray(ACTION_PATTERNS, { minLength: 1, maxLength: 3 }),
      resources: fc.subarray(RESOURCE_PATTERNS, { minLength: 1, maxLength: 2 }),
      principal: fc.constantFrom(...PRINCIPALS),
      condition,
    })
    .map((s) => ({
      Effect: s.Effect,
      [s.not ? 'NotAction' : 'Action']: s.actions,
      [s.notResource ? 'NotResource' : 'Resource']: s.resources,
      ...(withPrincipal ? { Principal: s.principal } : {}),
      ...(s.condition ? { Condition: s.condition } : {}),
    }));

const statements = (withPrincipal: boolean) => fc.array(statement(withPrincipal), { minLength: 1, maxLength: 4 });

interface Scenario {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  crossAccount: boolean;
  context: EvaluationRequest['context'];
  identity: Raw[][];
  resourcePolicy?: Raw[];
  boundary?: Raw[];
  sessions: Raw[][];
  scps: Raw[][];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  principal: fc.constantFrom(user('alice', ACCOUNT, { team: 'web' }), user('bob'), session('ops'), root()),
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  crossAccount: fc.boolean(),
  context: fc.constantFrom({}, { 'aws:RequestTag/team': 'web', 'aws:TagKeys': ['team'] }, { 'aws:RequestTag/team': 'db', 'aws:TagKeys': ['team', 'x'] }),
  identity: fc.array(statements(false), { maxLength: 3 }),
  resourcePolicy: fc.option(statements(true), { nil: undefined }),
  boundary: fc.option(statements(false), { nil: undefined }),
  sessions: fc.array(statements(false), { maxLength: 2 }),
  scps: fc.array(statements(false), { maxLength: 2 }),
});

const parse = (stmts: Raw[], kind: PolicyKind) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: stmts }), kind);

function toRequest(s: Scenario): EvaluationRequest {
  return {
    principal: s.principal,
    action: s.action,
    resource: s.resource,
    ...(s.crossAccount ? { resourceAccount: OTHER } : {}),
    context: s.context,
    identityPolicies: s.identity.map((p) => parse(p, 'identity')),
    ...(s.resourcePolicy ? { resourcePolicy: parse(s.resourcePolicy, 'resource') } : {}),
    ...(s.boundary ? { permissionsBoundary: parse(s.boundary, 'boundary') } : {}),
    sessionPolicies: s.sessions.map((p) => parse(p, 'session')),
    serviceControlPolicies: s.scps.map((p) => parse(p, 'identity')),
  };
}

/** A deterministic shuffle (mulberry32), so fast-check can shrink the seed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Where a Deny matching the request can go for this principal: every policy type that applies to it. */
function slots(p: RequestPrincipal): ('identity' | 'resource' | 'boundary' | 'session' | 'scp')[] {
  if (p.kind === 'root') return ['resource', 'scp'];
  if (p.kind === 'user') return ['identity', 'resource', 'boundary', 'scp'];
  return ['identity', 'resource', 'boundary', 'session', 'scp'];
}

describe('evaluate: properties', () => {
  it('an explicit deny always wins: adding a matching Deny to any applicable policy makes the decision ExplicitDeny', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.nat(), (s, slotPick, at) => {
        const slot = slots(s.principal)[slotPick % slots(s.principal).length];
        const deny: Raw = { Effect: 'Deny', Action: s.action, Resource: '*' };
        const insert = (list: Raw[] | undefined, stmt: Raw) => {
          const out = (list ?? []).slice();
          out.splice(at % (out.length + 1), 0, stmt);
          return out;
        };
        const pickPolicy = (lists: Raw[][]) => {
          const out = lists.slice();
          const i = at % (out.length + 1);
          if (i === out.length) out.push([deny]);
          else out[i] = insert(out[i], deny);
          return out;
        };
        const changed: Scenario = { ...s };
        if (slot === 'identity') changed.identity = pickPolicy(s.identity);
        else if (slot === 'resource') changed.resourcePolicy = insert(s.resourcePolicy, { ...deny, Principal: '*' });
        else if (slot === 'boundary') changed.boundary = insert(s.boundary, deny);
        else if (slot === 'session') changed.sessions = pickPolicy(s.sessions);
        else changed.scps = pickPolicy(s.scps);
        const result = evaluate(toRequest(changed));
        assert.equal(result.decision, 'ExplicitDeny', `slot ${slot}`);
        assert.equal(result.explicit, true);
      }),
      { numRuns: 1500 },
    );
  });

  it('the order of statements and of policies never changes the decision', () => {
    fc.assert(
      fc.property(scenario, fc.integer(), (s, seed) => {
        const before = evaluate(toRequest(s));
        const mix = (lists: Raw[][]) => shuffle(lists.map((l, i) => shuffle(l, seed + i)), seed);
        const shuffled: Scenario = {
          ...s,
          identity: mix(s.identity),
          sessions: mix(s.sessions),
          scps: mix(s.scps),
          ...(s.resourcePolicy ? { resourcePolicy: shuffle(s.resourcePolicy, seed ^ 0x5bd1e995) } : {}),
          ...(s.boundary ? { boundary: shuffle(s.boundary, seed ^ 0x1b873593) } : {}),
        };
        const after = evaluate(toRequest(shuffled));
        assert.deepEqual(
          { decision: after.decision, deniedBy: after.deniedBy, allowedBy: after.allowedBy },
          { decision: before.decision, deniedBy: before.deniedBy, allowedBy: before.allowedBy },
        );
      }),
      { numRuns: 1500 },
    );
  });

  it('never allows a request that no policy allows, except for the root user in its own account', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const req: EvaluationRequest = { ...toRequest({ ...s, identity: [], resourcePolicy: undefined }) };
        const result = evaluate(req);
        if (s.principal.kind === 'root' && !s.crossAccount) return;
        assert.notEqual(result.decision, 'Allow');
      }),
      { numRuns: 500 },
    );
  });
});
