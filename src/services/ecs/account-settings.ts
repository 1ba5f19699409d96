/**
 * The ECS account setting operations: PutAccountSetting, PutAccountSettingDefault,
 * ListAccountSettings, DeleteAccountSetting. A setting belongs to a principal (the caller,
 * or the one `principalArn` names); the root's settings are the account defaults. The rules
 * on values and the resolution are the domain's (src/ecs/account-settings.ts).
 */
import type {
  DeleteAccountSettingResponse, ListAccountSettingsResponse, PutAccountSettingDefaultResponse, PutAccountSettingResponse, Setting,
} from '@aws-sdk/client-ecs';
import { paginate, type RequestContext } from '../../aws/index.ts';
import { transact } from '../../state/index.ts';
import {
  EcsErrors, SETTING_NAMES, accountSettingKeys, checkPrincipalArn, checkSettingValue, partitionOf, principalSettings, resolveSetting, rootArn,
  settingPrincipalOf, type AccountSettingRecord, type EcsDeps, type SettingName,
} from '../../ecs/index.ts';
import { checkInt, present, scopeOf, type EcsOperationTable } from './common.ts';

const asSetting = (r: AccountSettingRecord, type: 'user' | 'aws_managed' = 'user'): Setting => ({ name: r.name, value: r.value, principalArn: r.principalArn, type });

/** The account's root ARN for a request. */
const rootOf = (ctx: RequestContext): string => rootArn(ctx.account, partitionOf(ctx.principal.arn));

/** A `name` member: one of ECS's setting names (the model's enum, checked again as a name). */
function readName(name: string | undefined): SettingName {
  const n = present(name, 'name');
  if (!(SETTING_NAMES as readonly string[]).includes(n)) throw EcsErrors.invalidParameter(`name: ${n} is not an account setting name; valid names are ${SETTING_NAMES.join(', ')}.`);
  return n as SettingName;
}

/**
 * The principal a request acts for: `principalArn`, or the caller. Naming another principal is
 * the root's alone: any other caller may name only itself.
 */
function principalOf(input: { principalArn?: string }, ctx: RequestContext): string {
  const caller = settingPrincipalOf(ctx.principal.arn);
  if (input.principalArn === undefined || input.principalArn === '') return caller;
  checkPrincipalArn(input.principalArn, ctx.account);
  if (ctx.principal.kind !== 'root' && input.principalArn !== caller) {
    throw EcsErrors.invalidParameter(`principalArn: only the root user can change or read the settings of another principal (${input.principalArn}).`);
  }
  return input.principalArn;
}

/** The account setting operations, bound to their dependencies. */
export function accountSettingOperations(deps: EcsDeps): EcsOperationTable {
  /** Stores `value` for `name` of `principalArn` (its checks made), returning the stored setting. */
  const put = async (ctx: RequestContext, name: SettingName, value: string, principalArn: string): Promise<Setting> => {
    const scope = scopeOf(ctx);
    checkSettingValue(name, value, principalArn === rootOf(ctx));
    const record: AccountSettingRecord = { name, value, principalArn };
    await transact(deps.store, async (tx) => { tx.put(accountSettingKeys.setting(scope, principalArn, name), record); });
    return asSetting(record);
  };

  return {
    PutAccountSetting: {
      async handler(input, ctx): Promise<PutAccountSettingResponse> {
        const name = readName(input.name);
        const value = present(input.value, 'value');
        return { setting: await put(ctx, name, value, principalOf(input, ctx)) };
      },
    },

    PutAccountSettingDefault: {
      async handler(input, ctx): Promise<PutAccountSettingDefaultResponse> {
        const name = readName(input.name);
        const value = present(input.value, 'value');
        return { setting: await put(ctx, name, value, rootOf(ctx)) };
      },
    },

    DeleteAccountSetting: {
      async handler(input, ctx): Promise<DeleteAccountSettingResponse> {
        const scope = scopeOf(ctx);
        const name = readName(input.name);
        const principalArn = principalOf(input, ctx);
        const root = rootOf(ctx);
        const removed = await transact(deps.store, async (tx) => {
          const key = accountSettingKeys.setting(scope, principalArn, name);
          const existing = await tx.get<AccountSettingRecord>(key);
          if (existing) tx.delete(key);
          return existing;
        });
        // What the principal falls back to is shown when it had no setting of its own.
        const setting = removed ?? resolveSetting(name, undefined, undefined, root);
        return { setting: { ...asSetting(setting), principalArn } };
      },
    },

    ListAccountSettings: {
      async handler(input, ctx): Promise<ListAccountSettingsResponse> {
        const scope = scopeOf(ctx);
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 10 });
        const name = input.name === undefined ? undefined : readName(input.name);
        const principalArn = principalOf(input, ctx);
        const root = rootOf(ctx);
        const own = await principalSettings(deps.store, scope, principalArn);
        let settings: Setting[];
        if (input.effectiveSettings) {
          const defaults = principalArn === root ? new Map() : await principalSettings(deps.store, scope, root);
          settings = SETTING_NAMES.map((n) => {
            const s = resolveSetting(n, own.get(n), defaults.get(n), root);
            return asSetting(s, s.type);
          });
        } else {
          settings = SETTING_NAMES.filter((n) => own.has(n)).map((n) => asSetting(own.get(n)!));
        }
        settings = settings.sort((a, b) => (a.name! < b.name! ? -1 : 1)).filter((s) => (name === undefined || s.name === name) && (input.value === undefined || s.value === input.value));
        const page = paginate(settings, (s) => s.name!, input.nextToken, maxResults, EcsErrors.invalidParameter, 10);
        return { settings: page.items, nextToken: page.nextToken };
      },
    },
  };
}
