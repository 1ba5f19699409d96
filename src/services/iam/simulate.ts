/**
 * IAM's policy simulator and account summary: SimulatePrincipalPolicy (a user's, group's or
 * role's policies, plus any given), SimulateCustomPolicy (only the given ones), and
 * GetAccountSummary.
 */
import type { ContextEntry, EvaluationResult, SimulatePrincipalPolicyRequest } from '@aws-sdk/client-iam';
import * as identity from '../../identity/index.ts';
import { need, pageIn, pageOut, type IamDeps, type IamOperationTable } from './common.ts';

function contextOf(entries: readonly ContextEntry[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of entries ?? []) if (e.ContextKeyName) out[e.ContextKeyName] = e.ContextKeyValues ?? [];
  return out;
}

function inputs(list: readonly string[] | undefined, id: string): identity.SimulationPolicy[] {
  return (list ?? []).map((document, n) => ({ id: `${id}.${n + 1}`, type: 'none', document }));
}

function toResult(r: identity.SimulationResult): EvaluationResult {
  return {
    EvalActionName: r.action,
    EvalResourceName: r.resource,
    EvalDecision: r.decision,
    MatchedStatements: r.matchedStatements.map((m) => ({ SourcePolicyId: m.sourcePolicyId, SourcePolicyType: m.sourcePolicyType })),
    MissingContextValues: [],
    ...(r.allowedByPermissionsBoundary !== undefined ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: r.allowedByPermissionsBoundary } } : {}),
  };
}

/** What both simulators take beyond the policies they simulate. */
type SimulationInput = Pick<SimulatePrincipalPolicyRequest, 'ResourcePolicy' | 'ResourceOwner' | 'ActionNames' | 'ResourceArns' | 'ContextEntries' | 'Marker' | 'MaxItems'>;

/** Runs a simulation for `principal` with these policies and answers one page of its results. */
function simulatePage(i: SimulationInput, principal: identity.SimulationRequest['principal'], policies: identity.SimulationPolicy[], boundary: identity.SimulationPolicy[] | undefined) {
  const results = identity.simulate({
    principal,
    identity: policies,
    boundary,
    resourcePolicy: i.ResourcePolicy ? { id: 'ResourcePolicy', type: 'resource', document: i.ResourcePolicy } : undefined,
    resourceOwner: i.ResourceOwner,
    actions: need(i.ActionNames, 'actionNames'),
    resources: i.ResourceArns ?? [],
    context: contextOf(i.ContextEntries),
  });
  // Results page by their position: the same action and resource may be asked twice.
  const page = identity.pageOf(results.map((r, n) => ({ r, n })), ({ n }) => String(n).padStart(10, '0'), pageIn(i));
  return { EvaluationResults: page.items.map(({ r }) => toResult(r)), ...pageOut(page) };
}

/** The simulator and the account summary. */
export function simulationOperations(deps: IamDeps): IamOperationTable {
  return {
    SimulatePrincipalPolicy: {
      authorization: { resources: (i) => (i.PolicySourceArn ? [i.PolicySourceArn] : ['*']) },
      handler: async (i, ctx) => {
        const source = await identity.principalForSimulation(deps, ctx.account, need(i.PolicySourceArn, 'policySourceArn'));
        const boundary = i.PermissionsBoundaryPolicyInputList?.length ? inputs(i.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList') : source.boundary;
        return simulatePage(i, source.principal, [...source.identity, ...inputs(i.PolicyInputList, 'PolicyInputList')], boundary);
      },
    },
    SimulateCustomPolicy: {
      handler: async (i, ctx) => {
        const callerArn = i.CallerArn ?? ctx.principal.arn;
        const principal = { arn: callerArn, account: ctx.account, userId: ctx.principal.userId, kind: callerArn.endsWith(':root') ? 'root' as const : 'user' as const };
        const boundary = i.PermissionsBoundaryPolicyInputList?.length ? inputs(i.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList') : undefined;
        return simulatePage(i, principal, inputs(need(i.PolicyInputList, 'policyInputList'), 'PolicyInputList'), boundary);
      },
    },
    GetAccountSummary: {
      handler: async (_i, ctx) => ({ SummaryMap: await identity.accountSummary(deps, ctx.account) }),
    },
  };
}
