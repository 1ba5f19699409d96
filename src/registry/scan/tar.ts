/**
 * A small streaming tar reader, enough to find a few files in an image layer: ustar headers
 * (512-byte blocks, `prefix` + `name`), GNU long names (`L`) and pax `path` records (`x`).
 * Bytes are pushed in as they arrive; only the entries a caller asks for are buffered, so a
 * large layer passes through in constant memory. Pure: no I/O.
 */

/** One entry the reader saw: its normalized path (no leading `./` or `/`), type flag and, when wanted, its bytes. */
export interface TarEntry {
  path: string;
  /** The ustar type flag: `0` (or NUL) a regular file, `5` a directory, `2` a symlink, … */
  type: string;
  size: number;
  /** The content, for entries `want` accepted (regular files only). */
  data?: Buffer;
}

const BLOCK = 512;

/** Strips `./` and `/` from the front and a trailing `/`, as layer paths are compared. */
export function normalizeTarPath(path: string): string {
  let p = path;
  while (p.startsWith('./') || p.startsWith('/')) p = p.startsWith('./') ? p.slice(2) : p.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  return p === '.' ? '' : p;
}

const cString = (b: Buffer) => {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
};

/** A header's numeric field: octal text, or base-256 when its top bit is set (GNU, for sizes ≥ 8 GiB). */
function numeric(b: Buffer): number {
  if (b[0] & 0x80) {
    let n = b[0] & 0x7f;
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i];
    return n;
  }
  const text = cString(b).trim();
  return text ? parseInt(text, 8) : 0;
}

/** The `path` value of a pax extended header's records (`<len> key=value\n`…), if any. */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  let path: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    at += len;
  }
  return path;
}

/**
 * Feeds tar bytes in order (`push`), calls `onEntry` for every entry, with the data of those
 * `want(path)` accepts up to `maxBytes` each. `end` checks the archive was not cut short.
 */
export class TarReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The entry whose data is being read, and how much of it (plus padding) remains. */
  private current?: { entry: TarEntry; remaining: number; padding: number; chunks?: Buffer[]; meta?: 'L' | 'x' };
  private longName?: string;
  private finished = false;

  constructor(
    private readonly want: (path: string) => boolean,
    private readonly onEntry: (entry: TarEntry) => void,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    if (this.finished) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drain();
  }

  /** Throws when the archive ended inside an entry. */
  end(): void {
    if (this.current) throw new Error(`tar archive truncated inside ${this.current.entry.path}`);
    if (!this.finished && this.pendingBytes > 0) throw new Error('tar archive truncated inside a header');
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  private drain(): void {
    for (;;) {
      if (this.finished) return;
      const cur = this.current;
      if (cur) {
        if (cur.remaining > 0) {
          if (this.pendingBytes === 0) return;
          const piece = this.take(Math.min(cur.remaining, this.pendingBytes));
          cur.remaining -= piece.length;
          cur.chunks?.push(Buffer.from(piece));
          if (cur.remaining > 0) return;
        }
        if (this.pendingBytes < cur.padding) return;
        this.take(cur.padding);
        this.current = undefined;
        this.complete(cur);
        continue;
      }
      if (this.pendingBytes < BLOCK) return;
      const header = this.take(BLOCK);
      if (header.every((b) => b === 0)) {
        // An end-of-archive block (two in a row end it; one is enough to stop looking).
        this.finished = true;
        return;
      }
      const name = cString(header.subarray(0, 100));
      const size = numeric(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] || 0x30);
      const magic = header.subarray(257, 263).toString('latin1');
      const prefix = magic.startsWith('ustar') ? cString(header.subarray(345, 500)) : '';
      const fullName = this.longName ?? (prefix ? `${prefix}/${name}` : name);
      this.longName = undefined;
      const entry: TarEntry = { path: normalizeTarPath(fullName), type, size };
      const meta = type === 'L' || type === 'x' ? type : undefined;
      const wanted = meta !== undefined || ((type === '0' || type === '\0' || type === '7') && this.want(entry.path) && size <= this.maxBytes);
      this.current = {
        entry,
        remaining: size,
        padding: (BLOCK - (size % BLOCK)) % BLOCK,
        chunks: wanted ? [] : undefined,
        meta,
      };
    }
  }

  private complete(cur: NonNullable<TarReader['current']>): void {
    const data = cur.chunks ? Buffer.concat(cur.chunks) : undefined;
    if (cur.meta === 'L') {
      this.longName = cString(data!);
      return;
    }
    if (cur.meta === 'x') {
      this.longName = paxPath(data!) ?? this.longName;
      return;
    }
    this.onEntry(data ? { ...cur.entry, data } : cur.entry);
  }
}
