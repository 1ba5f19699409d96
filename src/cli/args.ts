/** A tiny `--flag value` / `--flag=value` / `--switch` parser: the wharf command has few flags. */
export interface ParsedArgs {
  command: string | undefined;
  /** Arguments after the command that are not flags (a file to import). */
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  let command: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (command === undefined) command = arg;
      else positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(arg.slice(2), argv[++i]);
    else flags.set(arg.slice(2), true);
  }
  return { command, positional, flags };
}

/** Reads a string flag, with a default. */
export function flag(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new Error(`--${name} needs a value`);
  return v ?? fallback;
}

/** Reads an integer flag, with a default. */
export function intFlag(args: ParsedArgs, name: string, fallback?: number): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${v}`);
  return n;
}
