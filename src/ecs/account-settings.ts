/**
 * ECS account settings: what a principal (an IAM user, an IAM role, or the account's root)
 * has opted into, stored per principal and name. ECS resolves a setting for a principal as
 * its own setting, else the account default (the root's setting), else ECS's default; the
 * resolution and the rules on values are pure, the reads and writes take a transaction.
 */
import { listDocs, type Store, type Tx } from '../state/index.ts';
import { EcsErrors } from './errors.ts';
import type { Scope } from './records.ts';

/** Every account setting name ECS has (the SDK's SettingName). */
export const SETTING_NAMES = [
  'serviceLongArnFormat', 'taskLongArnFormat', 'containerInstanceLongArnFormat', 'awsvpcTrunking', 'containerInsights',
  'fargateFIPSMode', 'tagResourceAuthorization', 'fargateTaskRetirementWaitPeriod', 'guardDutyActivate',
  'defaultLogDriverMode', 'fargateEventWindows',
] as const;
/** One account setting name. */
export type SettingName = (typeof SETTING_NAMES)[number];

/** The long ARN formats: always on since ECS stopped letting accounts opt out of them. */
const LONG_ARN = new Set<SettingName>(['serviceLongArnFormat', 'taskLongArnFormat', 'containerInstanceLongArnFormat']);

/** The values each setting accepts, its first the default ECS applies when neither principal nor account set it. */
const VALUES: Record<SettingName, readonly string[]> = {
  serviceLongArnFormat: ['enabled', 'disabled'],
  taskLongArnFormat: ['enabled', 'disabled'],
  containerInstanceLongArnFormat: ['enabled', 'disabled'],
  awsvpcTrunking: ['disabled', 'enabled'],
  containerInsights: ['disabled', 'enabled', 'enhanced'],
  fargateFIPSMode: ['disabled', 'enabled'],
  tagResourceAuthorization: ['on', 'off'],
  fargateTaskRetirementWaitPeriod: ['7', '0', '14'],
  guardDutyActivate: ['off', 'on'],
  defaultLogDriverMode: ['blocking', 'non-blocking'],
  fargateEventWindows: ['disabled', 'enabled'],
};

/** ECS's own default for a setting. */
export const ecsDefault = (name: SettingName): string => VALUES[name][0];

/** A stored setting of one principal. */
export interface AccountSettingRecord {
  name: SettingName;
  value: string;
  /** The IAM user or role ARN, or `arn:aws:iam::<account>:root` for the account default. */
  principalArn: string;
}

/** A setting as resolved for a principal: `type` says whether ECS manages it (guardDutyActivate) or the account does. */
export interface EffectiveSetting extends AccountSettingRecord {
  type: 'user' | 'aws_managed';
}

/** Where account settings are stored: one record per principal and name. */
export const accountSettingKeys = {
  all: (s: Scope) => `ecs/account-settings/${s.account}/${s.region}/`,
  principal: (s: Scope, principalArn: string) => `ecs/account-settings/${s.account}/${s.region}/${encodeURIComponent(principalArn)}/`,
  setting: (s: Scope, principalArn: string, name: SettingName) =>
    `ecs/account-settings/${s.account}/${s.region}/${encodeURIComponent(principalArn)}/${name}`,
};

/** The account's root ARN: whose settings are the account defaults. */
export const rootArn = (account: string, partition = 'aws'): string => `arn:${partition}:iam::${account}:root`;

/**
 * The principal a caller's settings belong to: an assumed role's session is its role (ECS keeps
 * settings per role, not per session); users and root are themselves.
 */
export function settingPrincipalOf(callerArn: string): string {
  const m = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : callerArn;
}

/** Whether `arn` names a principal of `account` that can carry settings: its root, an IAM user or an IAM role. */
export function checkPrincipalArn(arn: string, account: string, member = 'principalArn'): void {
  const m = /^arn:[^:]+:iam::(\d{12}):(root|user\/.+|role\/.+)$/.exec(arn);
  if (!m) throw EcsErrors.invalidParameter(`${member}: ${arn} is not the ARN of an IAM user, an IAM role or the root user.`);
  if (m[1] !== account) throw EcsErrors.invalidParameter(`${member}: ${arn} is not a principal of account ${account}.`);
}

/**
 * Checks that `value` may be stored for `name` (by `principalArn`; `root` when it is the account
 * default): one of the setting's values; never `disabled` for a long ARN format, which ECS no
 * longer allows; guardDutyActivate is ECS's to set; the Fargate retirement wait is the root's.
 */
export function checkSettingValue(name: SettingName, value: string, root: boolean): void {
  if (name === 'guardDutyActivate') {
    throw EcsErrors.invalidParameter('guardDutyActivate is read-only: it is set by GuardDuty Runtime Monitoring, not by PutAccountSetting.');
  }
  const allowed = VALUES[name];
  if (!allowed.includes(value)) {
    throw EcsErrors.invalidParameter(`value: ${value} is not valid for ${name}; valid values are ${[...allowed].sort().join(', ')}.`);
  }
  if (LONG_ARN.has(name) && value === 'disabled') throw EcsErrors.invalidParameter('You can no longer disable Long Arn settings.');
  if (name === 'fargateTaskRetirementWaitPeriod' && !root) {
    throw EcsErrors.invalidParameter('principalArn: fargateTaskRetirementWaitPeriod can only be set for the root user (the account default).');
  }
}

/**
 * A setting as ECS resolves it for `principalArn`: its own, else the account default (root's),
 * else ECS's default, shown as the root's.
 */
export function resolveSetting(name: SettingName, own: AccountSettingRecord | undefined, accountDefault: AccountSettingRecord | undefined, root: string): EffectiveSetting {
  const type = name === 'guardDutyActivate' ? 'aws_managed' : 'user';
  const found = own ?? accountDefault;
  return found ? { ...found, type } : { name, value: ecsDefault(name), principalArn: root, type };
}

/** Reads the stored settings of a principal, by name. */
export async function principalSettings(store: Store, scope: Scope, principalArn: string): Promise<Map<SettingName, AccountSettingRecord>> {
  const docs = await listDocs<AccountSettingRecord>(store, accountSettingKeys.principal(scope, principalArn));
  return new Map(docs.map((d) => [d.value.name, d.value]));
}

/** The value a setting takes for a principal, read from the store: what ECS acts on when that principal creates something. */
export async function effectiveSetting(tx: Tx, scope: Scope, principalArn: string, name: SettingName): Promise<string> {
  const root = rootArn(scope.account, partitionOf(principalArn));
  const own = await tx.get<AccountSettingRecord>(accountSettingKeys.setting(scope, principalArn, name));
  const account = own ? undefined : await tx.get<AccountSettingRecord>(accountSettingKeys.setting(scope, root, name));
  return resolveSetting(name, own, account, root).value;
}

/**
 * ENI trunking's gain: ECS's own example is a c5.large, whose 2 task ENIs become 10 with
 * awsvpcTrunking. Wharf's hosts have no EC2 instance type to look up, so every trunked instance
 * gets this multiple of the attachment points its agent offers.
 */
export const TRUNKING_MULTIPLIER = 5;

/** The task ENIs an instance offers: its agent's, multiplied when it registers with ENI trunking. */
export const trunkedEnis = (eniLimit: number, trunking: boolean): number => (trunking ? eniLimit * TRUNKING_MULTIPLIER : eniLimit);

/** The partition of an ARN (`aws`, `aws-cn`...). */
export const partitionOf = (arn: string): string => arn.split(':')[1] || 'aws';
