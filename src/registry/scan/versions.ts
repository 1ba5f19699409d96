/**
 * Package version ordering for the ecosystems basic scanning knows: Debian's (dpkg's
 * `epoch:upstream-revision`, where `~` sorts before everything, even the end) and Alpine's
 * (apk's `1.2.3a_rc1-r2`). An advisory's ECOSYSTEM range is only meaningful in its
 * ecosystem's order, so each has its own comparison. Pure.
 */

/** dpkg's character order: `~` first, then the end of the string, letters, then everything else. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** dpkg's verrevcmp: alternating non-digit runs (by dpkgOrder) and digit runs (by value). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a[i]);
      const bc = dpkgOrder(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function splitDebian(v: string): { epoch: number; upstream: string; revision: string } {
  let rest = v.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[0-9]+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** Compares two Debian versions as dpkg does: negative, zero or positive. */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitDebian(a);
  const y = splitDebian(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return Math.sign(verrevcmp(x.upstream, y.upstream)) || Math.sign(verrevcmp(x.revision, y.revision));
}

/** apk's suffix order: pre-releases before the release, then the post-release kinds. */
const APK_SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const APK_VERSION = /^([0-9]+(?:\.[0-9]+)*)([a-z]?)((?:_[a-z]+[0-9]*)*)(?:~[0-9a-f]+)?(?:-r([0-9]+))?$/;

interface ApkVersion {
  numbers: string[];
  letter: string;
  suffixes: { rank: number; n: number }[];
  revision: number;
}

function parseApk(v: string): ApkVersion | undefined {
  const m = APK_VERSION.exec(v.trim());
  if (!m) return undefined;
  const suffixes = (m[3] ? m[3].slice(1).split('_') : []).map((s) => {
    const [, word, digits] = /^([a-z]+)([0-9]*)$/.exec(s)!;
    const rank = APK_SUFFIXES.indexOf(word);
    return { rank: rank < 0 ? APK_SUFFIXES.indexOf('') : rank, n: digits ? Number(digits) : 0 };
  });
  return { numbers: m[1].split('.'), letter: m[2], suffixes, revision: m[4] ? Number(m[4]) : 0 };
}

/** One dotted component after the first: with a leading zero, compared as a decimal fraction (as apk and Gentoo do). */
function compareComponent(a: string, b: string, first: boolean): number {
  if (!first && (a.startsWith('0') || b.startsWith('0'))) {
    const x = a.replace(/0+$/, '');
    const y = b.replace(/0+$/, '');
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two Alpine (apk) versions: negative, zero or positive. Unparseable versions fall back to dpkg's order. */
export function compareAlpineVersions(a: string, b: string): number {
  const x = parseApk(a);
  const y = parseApk(b);
  if (!x || !y) return compareDebianVersions(a, b);
  const n = Math.max(x.numbers.length, y.numbers.length);
  for (let i = 0; i < n; i++) {
    if (x.numbers[i] === undefined) return -1;
    if (y.numbers[i] === undefined) return 1;
    const c = compareComponent(x.numbers[i], y.numbers[i], i === 0);
    if (c) return c;
  }
  if (x.letter !== y.letter) return x.letter < y.letter ? -1 : 1;
  const release = { rank: APK_SUFFIXES.indexOf(''), n: 0 };
  for (let i = 0; i < Math.max(x.suffixes.length, y.suffixes.length); i++) {
    const s = x.suffixes[i] ?? release;
    const t = y.suffixes[i] ?? release;
    if (s.rank !== t.rank) return s.rank - t.rank;
    if (s.n !== t.n) return s.n - t.n;
  }
  return Math.sign(x.revision - y.revision);
}

/** The comparison for an OSV ecosystem (`Debian:12`, `Alpine:v3.19`, …); undefined when none is known. */
export function versionComparator(ecosystem: string): ((a: string, b: string) => number) | undefined {
  const base = ecosystem.split(':')[0];
  if (base === 'Debian' || base === 'Ubuntu') return compareDebianVersions;
  if (base === 'Alpine') return compareAlpineVersions;
  return undefined;
}
