/**
 * Pure: reads an ECS AppSpec (YAML or JSON; JSON is YAML too) into what the replacement task
 * set runs. Bad input names the field, as CodeDeploy's InvalidRevisionException messages do.
 * Hooks naming Lambda functions are refused: Wharf runs no Lambda, and a deployment that
 * silently skipped them would shift traffic its owner meant to check first.
 */
import { parse } from 'yaml';
import { CodeDeployErrors } from './errors.ts';
import type { EcsAppSpec } from './records.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string) => CodeDeployErrors.invalidRevision(`AppSpec: ${message}`);

function str(o: Obj, field: string, path: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0) throw bad(`${path}.${field} must be a non-empty string.`);
  return v;
}

function strings(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(`${path} must be a list of strings.`);
  return v as string[];
}

/** The ECS AppSpec `content` says, or InvalidRevisionException naming what is wrong. */
export function parseEcsAppSpec(content: string): EcsAppSpec {
  let doc: unknown;
  try {
    doc = parse(content);
  } catch (error) {
    throw bad(`the content is neither YAML nor JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`);
  }
  if (!isObj(doc)) throw bad('the content must be a YAML or JSON object.');
  const version = doc.version;
  if (version === undefined) throw bad('version is required (0.0).');
  if (String(version) !== '0.0' && version !== 0) throw bad(`version must be 0.0, not ${String(version)}.`);
  if (doc.Hooks !== undefined) checkHooks(doc.Hooks);
  const resources = doc.Resources;
  if (!Array.isArray(resources) || resources.length === 0) throw bad('Resources must be a list with one ECS service.');
  if (resources.length > 1) throw bad('Resources must name exactly one ECS service.');
  const first = resources[0];
  const target = isObj(first) ? Object.values(first)[0] : undefined;
  if (!isObj(first) || Object.keys(first).length !== 1 || !isObj(target)) throw bad('Resources[0] must be a map of one name to its TargetService.');
  const service = target.TargetService ?? target;
  if (!isObj(service)) throw bad('Resources[0].TargetService must be an object.');
  const path = 'Resources[0].TargetService';
  if (service.Type !== 'AWS::ECS::Service') throw bad(`${path}.Type must be AWS::ECS::Service, not ${String(service.Type)}.`);
  const props = service.Properties;
  if (!isObj(props)) throw bad(`${path}.Properties is required.`);
  const p = `${path}.Properties`;
  const taskDefinition = str(props, 'TaskDefinition', p);
  const lb = props.LoadBalancerInfo;
  if (!isObj(lb)) throw bad(`${p}.LoadBalancerInfo is required (ContainerName and ContainerPort).`);
  const containerName = str(lb, 'ContainerName', `${p}.LoadBalancerInfo`);
  const port = Number(lb.ContainerPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`${p}.LoadBalancerInfo.ContainerPort must be a port number (1-65535).`);
  const spec: EcsAppSpec = { taskDefinition, containerName, containerPort: port };
  if (props.PlatformVersion !== undefined) spec.platformVersion = str(props, 'PlatformVersion', p);
  if (props.NetworkConfiguration !== undefined) {
    const n = isObj(props.NetworkConfiguration) ? props.NetworkConfiguration.AwsvpcConfiguration ?? props.NetworkConfiguration.awsvpcConfiguration : undefined;
    const np = `${p}.NetworkConfiguration.AwsvpcConfiguration`;
    if (!isObj(n)) throw bad(`${np} is required with NetworkConfiguration.`);
    const subnets = strings(n.Subnets, `${np}.Subnets`);
    if (subnets.length === 0) throw bad(`${np}.Subnets must name at least one subnet.`);
    spec.networkConfiguration = { subnets };
    if (n.SecurityGroups !== undefined) spec.networkConfiguration.securityGroups = strings(n.SecurityGroups, `${np}.SecurityGroups`);
    if (n.AssignPublicIp !== undefined) {
      if (n.AssignPublicIp !== 'ENABLED' && n.AssignPublicIp !== 'DISABLED') throw bad(`${np}.AssignPublicIp must be ENABLED or DISABLED.`);
      spec.networkConfiguration.assignPublicIp = n.AssignPublicIp;
    }
  }
  if (props.CapacityProviderStrategy !== undefined) {
    const list = props.CapacityProviderStrategy;
    if (!Array.isArray(list)) throw bad(`${p}.CapacityProviderStrategy must be a list.`);
    spec.capacityProviderStrategy = list.map((item, i) => {
      const ip = `${p}.CapacityProviderStrategy[${i}]`;
      if (!isObj(item)) throw bad(`${ip} must be an object.`);
      const entry: { capacityProvider: string; base?: number; weight?: number } = { capacityProvider: str(item, 'CapacityProvider', ip) };
      for (const [field, key] of [['Base', 'base'], ['Weight', 'weight']] as const) {
        if (item[field] === undefined) continue;
        const n = Number(item[field]);
        if (!Number.isInteger(n) || n < 0) throw bad(`${ip}.${field} must be a whole number, 0 or more.`);
        entry[key] = n;
      }
      return entry;
    });
  }
  return spec;
}

/** Hooks name Lambda functions to run at lifecycle events; Wharf has none to run. */
function checkHooks(hooks: unknown): void {
  const list = Array.isArray(hooks) ? hooks : isObj(hooks) ? [hooks] : undefined;
  if (!list) throw bad('Hooks must be a list of lifecycle event names and Lambda functions.');
  const named = list.flatMap((h) => (isObj(h) ? Object.entries(h) : [])).filter(([, fn]) => fn !== null && fn !== undefined && fn !== '');
  if (named.length > 0) {
    const [event, fn] = named[0]!;
    throw bad(`Hooks: ${event} names the Lambda function ${String(fn)}, but Wharf runs no Lambda functions; remove the Hooks section.`);
  }
}
