/**
 * What an instance's user data writes to `/etc/ecs/ecs.config`, read as the ECS-optimized AMI's
 * boot leaves it for the agent: the boot runs the user data (a shell script, whose `echo ... >>
 * /etc/ecs/ecs.config` lines and `cat <<EOF >> /etc/ecs/ecs.config` heredocs fill the file), and
 * the agent reads the file's `KEY=value` lines. Wharf runs no script: it reads those forms from the
 * text. User data that is not a script (no `#!`) is read as the file's lines themselves.
 * Pure: text in, settings out.
 */

/** The ecs.config file the AMI's agent reads. */
export const ECS_CONFIG_FILE = '/etc/ecs/ecs.config';

/** The settings a Wharf host takes from ecs.config, with the agent's defaults. */
export interface EcsAgentConfig {
  /** ECS_CLUSTER (default `default`). */
  cluster: string;
  /** ECS_CONTAINER_INSTANCE_TAGS: tags the container instance is registered with. */
  instanceTags: { key: string; value: string }[];
  /** ECS_INSTANCE_ATTRIBUTES: custom attributes the container instance is registered with. */
  instanceAttributes: { name: string; value: string }[];
  /** ECS_ENABLE_TASK_IAM_ROLE (the ECS-optimized AMI turns it on; only `false` turns it off). */
  enableTaskIamRole: boolean;
  /** ECS_RESERVED_MEMORY in MiB, when set. */
  reservedMemory?: number;
  /** ECS_AVAILABLE_LOGGING_DRIVERS, when set. */
  loggingDrivers?: string[];
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION in milliseconds, when set. */
  taskCleanupWaitMs?: number;
  /** Every KEY=value the file ends with (later lines win). */
  settings: Record<string, string>;
  /** Values the agent would refuse, each saying which setting (they are left out). */
  problems: string[];
}

/** Reads the ecs.config that `userData` writes and the settings it holds. */
export function parseEcsUserData(userData: string | undefined): EcsAgentConfig {
  return ecsConfigFrom(ecsConfigLines(userData ?? ''));
}

/** The lines the user data writes to ecs.config, in order (a `>` write starts the file over). */
export function ecsConfigLines(userData: string): string[] {
  const lines = userData.replace(/\r\n/g, '\n').split('\n');
  if (!lines[0]?.startsWith('#!')) return lines;
  let out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const heredoc = /<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      const [, dash, , word] = heredoc;
      for (i++; i < lines.length; i++) {
        const raw = dash ? lines[i]!.replace(/^\t+/, '') : lines[i]!;
        if (raw === word) break;
        body.push(raw);
      }
      const target = writeTarget(line.replace(heredoc[0], ''));
      if (target === 'append') out.push(...body);
      else if (target === 'replace') out = [...body];
      continue;
    }
    const echo = /^echo\s+(.*)$/.exec(line);
    if (!echo) continue;
    const split = splitRedirect(echo[1]!);
    if (!split) continue;
    const words = shellWords(split.command);
    while (words[0] && /^-[neE]+$/.test(words[0])) words.shift();
    const text = words.join(' ');
    if (split.target === 'append') out.push(text);
    else out = [text];
  }
  return out;
}

/** Where a command line's output goes: appended to, or replacing, ecs.config (or elsewhere). */
function writeTarget(rest: string): 'append' | 'replace' | undefined {
  // The file itself, not one whose name starts with it (ecs.config.bak).
  const file = `['"]?${ECS_CONFIG_FILE.replace(/[/.]/g, '\\$&')}['"]?(?=$|[\\s;&|)])`;
  if (new RegExp(`>>\\s*${file}`).test(rest) || new RegExp(`tee\\s+(-a|--append)\\s+${file}`).test(rest)) return 'append';
  if (new RegExp(`>\\s*${file}`).test(rest) || new RegExp(`tee\\s+${file}`).test(rest)) return 'replace';
  return undefined;
}

/** An echo's arguments and where they go, when that is ecs.config (`> file`, `>> file`, `| tee [-a] file`). */
function splitRedirect(args: string): { command: string; target: 'append' | 'replace' } | undefined {
  let quote: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '\\') i++;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '>' || c === '|') {
      const target = writeTarget(args.slice(i));
      return target && { command: args.slice(0, i), target };
    }
  }
  return undefined;
}

/** The words of a shell command line, quotes removed and escapes resolved (no expansions). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      word ??= '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && '"\\$`'.includes(text[i + 1] ?? '')) i++;
        word += text[i];
      }
    } else if (c === '\\') {
      word = (word ?? '') + (text[++i] ?? '');
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The settings of ecs.config's lines (blank lines and `#` comments skipped; quotes around a value removed). */
export function ecsConfigFrom(lines: readonly string[]): EcsAgentConfig {
  const settings: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    let value = m[2]!.trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    settings[m[1]!] = value;
  }
  const problems: string[] = [];
  const json = <T>(key: string, valid: (v: unknown) => v is T): T | undefined => {
    const text = settings[key];
    if (text === undefined || text === '') return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (valid(value)) return value;
    } catch {
      // reported below
    }
    problems.push(`${key} is not ${key === 'ECS_AVAILABLE_LOGGING_DRIVERS' ? 'a JSON array of strings' : 'a JSON object of strings'}: ${text}`);
    return undefined;
  };
  const stringMap = (v: unknown): v is Record<string, string> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
  const tags = json('ECS_CONTAINER_INSTANCE_TAGS', stringMap) ?? {};
  const attributes = json('ECS_INSTANCE_ATTRIBUTES', stringMap) ?? {};
  const drivers = json('ECS_AVAILABLE_LOGGING_DRIVERS', (v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string'));
  const reserved = settings.ECS_RESERVED_MEMORY;
  const reservedMemory = reserved !== undefined && /^\d+$/.test(reserved) ? Number(reserved) : undefined;
  if (reserved !== undefined && reservedMemory === undefined) problems.push(`ECS_RESERVED_MEMORY is not a whole number of MiB: ${reserved}`);
  const cleanup = settings.ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION;
  const taskCleanupWaitMs = cleanup === undefined ? undefined : durationMs(cleanup);
  if (cleanup !== undefined && taskCleanupWaitMs === undefined) problems.push(`ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION is not a duration (such as 3h or 90s): ${cleanup}`);
  return {
    cluster: settings.ECS_CLUSTER || 'default',
    instanceTags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    instanceAttributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
    enableTaskIamRole: settings.ECS_ENABLE_TASK_IAM_ROLE?.toLowerCase() !== 'false',
    ...(reservedMemory !== undefined && { reservedMemory }),
    ...(drivers && { loggingDrivers: drivers }),
    ...(taskCleanupWaitMs !== undefined && { taskCleanupWaitMs }),
    settings,
    problems,
  };
}

/** A Go-style duration (`3h`, `1h30m`, `90s`, `500ms`) in milliseconds. */
function durationMs(text: string): number | undefined {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return undefined;
  return Math.round(parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u!]!, 0));
}
