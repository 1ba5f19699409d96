/**
 * What authorization needs about a user or role, compiled once and kept in memory: its
 * identity policies (inline, attached, and for a user its groups' too), its permissions
 * boundary, its tags and (for a role) its trust policy, all parsed. Entries are dropped when
 * anything under IAM's prefix changes, so a request costs a map lookup and the evaluation, not
 * a store read; usage stamps (last-used records) do not count as changes.
 *
 *   store watch(iam/) ──change──▶ generation++, entries cleared
 *   policiesOf(kind, account, name) ──hit──▶ entry
 *                                    └miss──▶ read records, parse, keep (if no change meanwhile)
 */
import { Tx, type Store } from '../state/index.ts';
import { entityArn } from './identifiers.ts';
import { findManagedPolicy } from './managed.ts';
import { managedPolicyByArn } from './managed-policies/index.ts';
import { parsePolicy, type Policy, type PolicyKind } from './policy/index.ts';
import { iamKeys, isUsageKey, type AccessKeyRecord, type GroupRecord, type RoleRecord, type UserRecord } from './records.ts';
import { tagMap } from './tags.ts';

const DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

/** A user or role as authorization sees it. */
export interface PrincipalPolicies {
  kind: 'user' | 'role';
  name: string;
  /** The record's unique id (AIDA…/AROA…): sessions and keys must belong to this incarnation. */
  id: string;
  arn: string;
  identity: Policy[];
  boundary?: Policy;
  tags: Record<string, string>;
  /** A role's trust policy. */
  trust?: Policy;
  /** A role's MaxSessionDuration. */
  maxSessionDuration?: number;
}

/** Compiled principals and access keys, invalidated by the store's watch of `iam/`. */
export class PrincipalCache {
  private generation = 0;
  private readonly entries = new Map<string, PrincipalPolicies | null>();
  private readonly documents = new Map<string, Policy>();
  private readonly keys = new Map<string, AccessKeyRecord | null>();
  private readonly unwatch: () => void;

  constructor(private readonly store: Store) {
    this.unwatch = store.watch(iamKeys.all, (event) => {
      if (isUsageKey(event.kv.key)) return;
      this.generation++;
      this.entries.clear();
      this.keys.clear();
      if (this.documents.size > 10_000) this.documents.clear();
    });
  }

  /** Stops following the store. */
  close(): void {
    this.unwatch();
  }

  /** A policy document parsed once per (kind, arn, text). */
  compile(text: string, kind: PolicyKind, arn?: string): Policy {
    const key = `${kind}|${arn ?? ''}|${text}`;
    let policy = this.documents.get(key);
    if (!policy) {
      policy = parsePolicy(text, kind, arn ? { arn } : {});
      this.documents.set(key, policy);
    }
    return policy;
  }

  /** An access key record by id (null when there is none). */
  async accessKey(id: string): Promise<AccessKeyRecord | undefined> {
    const cached = this.keys.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const generation = this.generation;
    const kv = await this.store.get(iamKeys.accessKey(id));
    const record = kv ? (JSON.parse(kv.value) as AccessKeyRecord) : null;
    // Unknown ids are remembered too, but only a bounded number of them.
    if (generation === this.generation && (record || this.keys.size < 10_000)) this.keys.set(id, record);
    return record ?? undefined;
  }

  /** The compiled policies of a user or role, or undefined when it does not exist. */
  async policiesOf(kind: 'user' | 'role', account: string, name: string): Promise<PrincipalPolicies | undefined> {
    const cacheKey = `${kind}/${account}/${name.toLowerCase()}`;
    const cached = this.entries.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const generation = this.generation;
    const entry = (kind === 'user' ? await this.loadUser(account, name) : await this.loadRole(account, name)) ?? null;
    if (generation === this.generation) this.entries.set(cacheKey, entry);
    return entry ?? undefined;
  }

  /** The default-version documents of managed policies, parsed (missing ones are skipped). */
  private async managed(tx: Tx, account: string, arns: readonly string[]): Promise<Policy[]> {
    const out: Policy[] = [];
    for (const arn of arns) {
      const shipped = managedPolicyByArn(arn);
      if (shipped) {
        out.push(shipped.policy);
        continue;
      }
      const ref = await findManagedPolicy(tx, account, arn);
      if (ref?.kind !== 'customer') continue;
      const version = ref.record.versions.find((v) => v.versionId === ref.record.defaultVersionId);
      if (version) out.push(this.compile(version.document, 'identity', arn));
    }
    return out;
  }

  private inline(policies: Record<string, string>): Policy[] {
    return Object.values(policies).map((text) => this.compile(text, 'identity'));
  }

  private async boundaryOf(tx: Tx, account: string, arn: string | undefined): Promise<Policy | undefined> {
    if (!arn) return undefined;
    // A boundary that no longer resolves must not widen anything: fail closed.
    return (await this.managed(tx, account, [arn]))[0] ?? this.compile(DENY_ALL, 'boundary');
  }

  private async loadUser(account: string, name: string): Promise<PrincipalPolicies | undefined> {
    // A Tx used only to read: its reads are never committed.
    const tx = new Tx(this.store);
    const user = await tx.get<UserRecord>(iamKeys.user(account, name));
    if (!user) return undefined;
    const identity = [...this.inline(user.inlinePolicies), ...(await this.managed(tx, account, user.attachedPolicies))];
    for (const groupName of user.groups) {
      const group = await tx.get<GroupRecord>(iamKeys.group(account, groupName));
      if (!group) continue;
      identity.push(...this.inline(group.inlinePolicies), ...(await this.managed(tx, account, group.attachedPolicies)));
    }
    return {
      kind: 'user',
      name: user.name,
      id: user.id,
      arn: entityArn(account, 'user', user.path, user.name),
      identity,
      boundary: await this.boundaryOf(tx, account, user.permissionsBoundary),
      tags: tagMap(user.tags),
    };
  }

  private async loadRole(account: string, name: string): Promise<PrincipalPolicies | undefined> {
    const tx = new Tx(this.store);
    const role = await tx.get<RoleRecord>(iamKeys.role(account, name));
    if (!role) return undefined;
    return {
      kind: 'role',
      name: role.name,
      id: role.id,
      arn: entityArn(account, 'role', role.path, role.name),
      identity: [...this.inline(role.inlinePolicies), ...(await this.managed(tx, account, role.attachedPolicies))],
      boundary: await this.boundaryOf(tx, account, role.permissionsBoundary),
      tags: tagMap(role.tags),
      trust: this.compile(role.trustPolicy, 'trust'),
      maxSessionDuration: role.maxSessionDuration,
    };
  }
}
