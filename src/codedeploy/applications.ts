/**
 * Applications: CreateApplication (ECS only: Wharf deploys to ECS services, so Server and
 * Lambda applications are refused with InvalidComputePlatformException rather than stored to
 * fail later), GetApplication, ListApplications, BatchGetApplications, DeleteApplication (its
 * deployment groups go with it, as CodeDeploy's do), UpdateApplication (a rename).
 */
import { listDocs, transact } from '../state/index.ts';
import type { CodeDeployEnv } from './env.ts';
import { CodeDeployErrors } from './errors.ts';
import { keys, uuidOf, type ApplicationRecord, type CodeDeployTag, type ComputePlatform, type DeploymentGroupRecord, type Scope } from './records.ts';
import { checkTags } from './tags.ts';

/** CreateApplication. */
export async function createApplication(env: CodeDeployEnv, scope: Scope, req: { name: string; computePlatform?: ComputePlatform; tags?: CodeDeployTag[] }): Promise<ApplicationRecord> {
  const platform = req.computePlatform ?? 'Server';
  if (platform !== 'ECS') {
    throw CodeDeployErrors.invalidComputePlatform(`computePlatform: Wharf deploys to Amazon ECS only; ${platform} applications are not supported (use ECS).`);
  }
  checkTags(req.tags ?? []);
  return transact(env.store, async (tx) => {
    if (await tx.get(keys.application(scope, req.name))) throw CodeDeployErrors.applicationAlreadyExists(req.name);
    const record: ApplicationRecord = { id: uuidOf(env.ids), name: req.name, computePlatform: platform, createdAt: env.clock.now(), tags: req.tags ?? [] };
    tx.put(keys.application(scope, req.name), record);
    return record;
  });
}

/** GetApplication. */
export async function getApplication(env: CodeDeployEnv, scope: Scope, name: string): Promise<ApplicationRecord> {
  const app = await transact(env.store, (tx) => tx.get<ApplicationRecord>(keys.application(scope, name)));
  if (!app) throw CodeDeployErrors.applicationDoesNotExist(name);
  return app;
}

/** ListApplications: by name. */
export async function listApplications(env: CodeDeployEnv, scope: Scope): Promise<ApplicationRecord[]> {
  return (await listDocs<ApplicationRecord>(env.store, keys.applications(scope))).map((d) => d.value).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** DeleteApplication: with its deployment groups; an application not there is no error. */
export async function deleteApplication(env: CodeDeployEnv, scope: Scope, name: string): Promise<void> {
  const groups = await listDocs<DeploymentGroupRecord>(env.store, keys.groups(scope, name));
  await transact(env.store, async (tx) => {
    tx.delete(keys.application(scope, name));
    for (const g of groups) tx.delete(g.key);
  });
}

/** UpdateApplication: renames an application that has no deployment groups (they are keyed by its name). */
export async function renameApplication(env: CodeDeployEnv, scope: Scope, name: string, newName: string): Promise<void> {
  if (newName === name) return;
  const groups = await listDocs(env.store, keys.groups(scope, name));
  await transact(env.store, async (tx) => {
    const app = await tx.get<ApplicationRecord>(keys.application(scope, name));
    if (!app) throw CodeDeployErrors.applicationDoesNotExist(name);
    if (await tx.get(keys.application(scope, newName))) throw CodeDeployErrors.applicationAlreadyExists(newName);
    if (groups.length > 0) throw CodeDeployErrors.invalidInput(`newApplicationName: Wharf renames only applications without deployment groups; ${name} has ${groups.length}.`);
    tx.delete(keys.application(scope, name));
    tx.put(keys.application(scope, newName), { ...app, name: newName });
  });
}
