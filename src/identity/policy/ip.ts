/**
 * IPv4 and IPv6 addresses and CIDR ranges for the IpAddress / NotIpAddress operators. An
 * address is held as 32-bit words (one for IPv4, four for IPv6) so a range test is a few
 * integer masks; no strings are built while evaluating.
 */

/** A parsed CIDR range: the family, the network words and the prefix length. */
export interface Cidr {
  readonly v6: boolean;
  readonly words: readonly number[];
  readonly prefix: number;
}

/** Parses a dotted IPv4 address into one unsigned word (a hand loop: it runs once per request). */
function parseV4(s: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (n * 256 + part) >>> 0;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) into four words. */
function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (!text) return [];
    const out: number[] = [];
    const pieces = text.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push(((all[i] << 16) | all[i + 1]) >>> 0);
  return words;
}

/** Parses an address: `{ v6, words }`, or undefined when it is not an address. */
export function parseAddress(s: string): { v6: boolean; words: number[] } | undefined {
  if (s.includes(':')) {
    const words = parseV6(s);
    return words ? { v6: true, words } : undefined;
  }
  const v4 = parseV4(s);
  return v4 === undefined ? undefined : { v6: false, words: [v4] };
}

/** Parses `203.0.113.0/24` or `2001:DB8::/32`; an address without a prefix is a single host (/32, /128). */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const address = parseAddress((slash < 0 ? s : s.slice(0, slash)).trim());
  if (!address) return undefined;
  const max = address.v6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  return { v6: address.v6, words: mask(address.words, prefix), prefix };
}

/** The words with every bit past `prefix` cleared. */
function mask(words: readonly number[], prefix: number): number[] {
  return words.map((w, i) => {
    const bits = Math.min(32, Math.max(0, prefix - i * 32));
    if (bits === 0) return 0;
    if (bits === 32) return w >>> 0;
    return (w & (~0 << (32 - bits))) >>> 0;
  });
}

/** True when the parsed address lies in the range (families must agree). */
export function inCidr(address: { v6: boolean; words: readonly number[] }, range: Cidr): boolean {
  if (address.v6 !== range.v6) return false;
  let left = range.prefix;
  for (let i = 0; i < range.words.length && left > 0; i++, left -= 32) {
    const bits = Math.min(32, left);
    const m = bits === 32 ? 0xffffffff : (~0 << (32 - bits)) >>> 0;
    if (((address.words[i] & m) >>> 0) !== range.words[i]) return false;
  }
  return true;
}
