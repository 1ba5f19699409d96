/**
 * The embedded backend of the Store contract: one SQLite file (WAL, synchronous=FULL) owned by
 * one process. Used by `wharf dev` and by tests; the etcd backend meets the same contract.
 *
 *   txn() ──► one SQLite transaction: check compares, apply ops at revision R+1,
 *             append each change to `changes`, bump meta.revision, compact old changes
 *        └──► after COMMIT: publish the commit to in-process watchers, in revision order
 *   watch(fromRevision) ──► replay `changes` [from, now] in pages, then follow live commits
 *   after each batch of commits ──► onProgress(revision) to every watcher that asked for it
 *   compact(revision) ──► drop `changes` below it (deferred while a replay is reading them)
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  Compare,
  KeyValue,
  Op,
  RangeOptions,
  RangeResult,
  Store,
  TxnResult,
  Unwatch,
  WatchEvent,
  WatchOptions,
} from './store.ts';

/** Tuning for a SqliteStore; the defaults suit `wharf dev`. */
export interface SqliteStoreOptions {
  /**
   * How many of the latest revisions keep their change history for `watch({ fromRevision })`.
   * Older history is compacted in batches. Default 100,000.
   */
  historyRevisions?: number;
  /** Receives whatever a watch callback throws (the store and other watchers carry on). Default: console.error. */
  onWatcherError?: (error: unknown) => void;
}

/** Raised by every call on a SqliteStore after close(). */
export class StoreClosedError extends Error {
  constructor() {
    super('The store is closed.');
    this.name = 'StoreClosedError';
  }
}

/** Raised by SqliteStore.open when another connection (in any process) already owns the file. */
export class StoreLockedError extends Error {
  constructor(path: string, options?: { cause?: unknown }) {
    super(`The store file ${path} is in use by another process or connection.`, options);
    this.name = 'StoreLockedError';
  }
}

const SCHEMA_VERSION = 1;
const DEFAULT_HISTORY_REVISIONS = 100_000;
/** Rows read per step when replaying history, so a callback may use the store between steps. */
const REPLAY_PAGE = 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv (
  key             TEXT PRIMARY KEY,
  value           TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision    INTEGER NOT NULL,
  version         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
  revision             INTEGER NOT NULL,
  seq                  INTEGER NOT NULL,
  key                  TEXT NOT NULL,
  type                 TEXT NOT NULL CHECK (type IN ('put', 'delete')),
  value                TEXT NOT NULL,
  create_revision      INTEGER NOT NULL,
  version              INTEGER NOT NULL,
  prev_value           TEXT,
  prev_create_revision INTEGER,
  prev_mod_revision    INTEGER,
  prev_version         INTEGER,
  PRIMARY KEY (revision, seq)
) WITHOUT ROWID;
`;

interface KvRow {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
  version: number;
}

interface ChangeRow {
  revision: number;
  seq: number;
  key: string;
  type: 'put' | 'delete';
  value: string;
  create_revision: number;
  version: number;
  prev_value: string | null;
  prev_create_revision: number | null;
  prev_mod_revision: number | null;
  prev_version: number | null;
}

/** One committed revision and the events it produced, as handed to watchers. */
interface Commit {
  revision: number;
  events: readonly WatchEvent[];
}

/** What a successful, changing txn wrote: the commit plus the compact revision it left. */
interface Applied extends Commit {
  compactRevision: number;
}

interface Watcher {
  prefix: string;
  onEvent: (event: WatchEvent) => void;
  onProgress: ((revision: number) => void) | undefined;
  /** Highest revision already delivered (or deliberately skipped) for this watcher. */
  delivered: number;
  /** Highest revision reported through onProgress. */
  progressed: number;
  active: boolean;
}

/**
 * The smallest string greater than every string that starts with `prefix`, in SQLite's
 * BINARY (UTF-8 byte) order, which is code-point order. Undefined when there is none.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      points.push(last === 0xd7ff ? 0xe000 : last + 1); // skip the surrogate range
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

/** Byte-order comparison matching SQLite's BINARY collation for TEXT. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function toKeyValue(row: KvRow): KeyValue {
  return {
    key: row.key,
    value: row.value,
    createRevision: row.create_revision,
    modRevision: row.mod_revision,
    version: row.version,
  };
}

/** Watch events are shared by every watcher that sees them, so none may change them. */
function freezeEvent(event: WatchEvent): WatchEvent {
  Object.freeze(event.kv);
  if (event.prevKv) Object.freeze(event.prevKv);
  return Object.freeze(event);
}

function toEvent(row: ChangeRow): WatchEvent {
  const kv: KeyValue = {
    key: row.key,
    value: row.value,
    createRevision: row.create_revision,
    modRevision: row.revision,
    version: row.version,
  };
  const event: WatchEvent = { type: row.type, kv };
  if (row.prev_value !== null) {
    event.prevKv = {
      key: row.key,
      value: row.prev_value,
      createRevision: row.prev_create_revision ?? 0,
      modRevision: row.prev_mod_revision ?? 0,
      version: row.prev_version ?? 0,
    };
  }
  return freezeEvent(event);
}

function checkKey(key: unknown, what: string): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`${what} must be a string`);
}

/**
 * SQLite implementation of Store. Every call is synchronous underneath (better-sqlite3), so
 * reads are consistent with the latest commit and an awaited txn() is already durable.
 * Deletes are reported with `createRevision: 0` and `version: 0`, as etcd does.
 */
export class SqliteStore implements Store {
  private rev: number;
  /** History is kept for revisions >= compactRevision (etcd's meaning of a compact revision). */
  private compactRevision: number;
  private readonly historyRevisions: number;
  private readonly compactBatch: number;
  private readonly onWatcherError: (error: unknown) => void;
  private readonly watchers = new Set<Watcher>();
  private readonly pending: Commit[] = [];
  private dispatching = false;
  /** Replays in progress; compaction waits for them so a replay never loses rows under it. */
  private replays = 0;
  /** An explicit compact() ran during a replay: its rows are dropped once the replays end. */
  private purgeDeferred = false;
  private closed = false;
  private readonly stmt: ReturnType<SqliteStore['prepareStatements']>;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteStoreOptions,
  ) {
    const history = options.historyRevisions ?? DEFAULT_HISTORY_REVISIONS;
    if (!Number.isInteger(history) || history < 1) throw new RangeError('historyRevisions must be a positive integer');
    this.historyRevisions = history;
    this.compactBatch = Math.max(1, Math.ceil(history / 100));
    this.onWatcherError =
      options.onWatcherError ?? ((error: unknown) => console.error('wharf: a store watch callback threw', error));
    this.stmt = this.prepareStatements();
    this.rev = this.stmt.getMeta.get('revision') ?? 0;
    this.compactRevision = this.stmt.getMeta.get('compact_revision') ?? 1;
  }

  /**
   * Opens (creating if needed) the store at `path`, or a private in-memory store for ':memory:'.
   * The file is locked for this connection alone: a second opener gets StoreLockedError.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const inMemory = path === ':memory:' || path === '';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.transaction(() => {
        db.exec(SCHEMA);
        const row = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'schema_version'").get();
        if (row === undefined) {
          db.prepare("INSERT INTO meta (name, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
        } else if (row.value !== SCHEMA_VERSION) {
          throw new Error(`${path}: store schema version ${row.value} is not supported (expected ${SCHEMA_VERSION})`);
        }
      }).immediate();
      return new SqliteStore(db, options);
    } catch (error) {
      db.close();
      if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) {
        throw new StoreLockedError(path, { cause: error });
      }
      throw error;
    }
  }

  private prepareStatements() {
    const db = this.db;
    const cols = 'key, value, create_revision, mod_revision, version';
    const rangeSql = (lower: '>=' | '>', bounded: boolean): string =>
      `SELECT ${cols} FROM kv WHERE key ${lower} ?${bounded ? ' AND key < ?' : ''} ORDER BY key LIMIT ?`;
    return {
      getMeta: db.prepare<[string], number>('SELECT value FROM meta WHERE name = ?').pluck(),
      setMeta: db.prepare<[string, number]>(
        'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
      get: db.prepare<[string], KvRow>(`SELECT ${cols} FROM kv WHERE key = ?`),
      modRevision: db.prepare<[string], number>('SELECT mod_revision FROM kv WHERE key = ?').pluck(),
      // Index range scans on the primary key: [lower, upper) or [lower, ∞), LIMIT -1 = no limit.
      range: {
        geBounded: db.prepare<[string, string, number], KvRow>(rangeSql('>=', true)),
        ge: db.prepare<[string, number], KvRow>(rangeSql('>=', false)),
        gtBounded: db.prepare<[string, string, number], KvRow>(rangeSql('>', true)),
        gt: db.prepare<[string, number], KvRow>(rangeSql('>', false)),
      },
      upsert: db.prepare<[string, string, number, number, number]>(
        `INSERT INTO kv (${cols}) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision,
           version = excluded.version`,
      ),
      delete: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
      insertChange: db.prepare<[number, number, string, string, string, number, number, string | null, number | null, number | null, number | null]>(
        `INSERT INTO changes (revision, seq, key, type, value, create_revision, version,
           prev_value, prev_create_revision, prev_mod_revision, prev_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      compact: db.prepare<[number]>('DELETE FROM changes WHERE revision < ?'),
      // History for a watch: one page of changes in (after, upTo], in order, under a prefix.
      historyBounded: db.prepare<[number, number, number, string, string, number], ChangeRow>(
        `SELECT * FROM changes WHERE (revision, seq) > (?, ?) AND revision <= ? AND key >= ? AND key < ?
         ORDER BY revision, seq LIMIT ?`,
      ),
      history: db.prepare<[number, number, number, string, number], ChangeRow>(
        `SELECT * FROM changes WHERE (revision, seq) > (?, ?) AND revision <= ? AND key >= ?
         ORDER BY revision, seq LIMIT ?`,
      ),
    };
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.ensureOpen();
    checkKey(key, 'key');
    const row = this.stmt.get.get(key);
    return row && toKeyValue(row);
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    this.ensureOpen();
    checkKey(prefix, 'prefix');
    const { startAfter, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new RangeError('limit must be a positive integer');
    }
    if (options.revision !== undefined && options.revision !== this.rev) {
      throw new RangeError(`SQLite reads only its current revision ${this.rev}, not ${options.revision}`);
    }
    const upper = prefixEnd(prefix);
    const after = startAfter !== undefined && compareUtf8(startAfter, prefix) >= 0;
    const lower = after ? (startAfter as string) : prefix;
    const take = limit === undefined ? -1 : limit + 1;
    const r = this.stmt.range;
    const rows =
      upper === undefined
        ? (after ? r.gt : r.ge).all(lower, take)
        : (after ? r.gtBounded : r.geBounded).all(lower, upper, take);
    const more = limit !== undefined && rows.length > limit;
    if (more) rows.pop();
    return { kvs: rows.map(toKeyValue), revision: this.rev, more };
  }

  async revision(): Promise<number> {
    this.ensureOpen();
    return this.rev;
  }

  async txn(compares: Compare[], ops: Op[]): Promise<TxnResult> {
    this.ensureOpen();
    validateTxn(compares, ops);
    const outcome = this.applyTxn(compares, ops);
    if (outcome === 'failed') return { succeeded: false, revision: this.rev };
    if (outcome !== 'unchanged') {
      this.rev = outcome.revision;
      this.compactRevision = outcome.compactRevision;
      this.publish({ revision: outcome.revision, events: outcome.events });
    }
    return { succeeded: true, revision: this.rev };
  }

  /** One SQLite transaction; returns the commit to publish, or why there is none. */
  private applyTxn(compares: Compare[], ops: Op[]): Applied | 'failed' | 'unchanged' {
    const run = this.db.transaction((): Applied | 'failed' | 'unchanged' => {
      for (const c of compares) {
        if ((this.stmt.modRevision.get(c.key) ?? 0) !== c.modRevision) return 'failed';
      }
      const revision = this.rev + 1;
      const events: WatchEvent[] = [];
      const record = (type: 'put' | 'delete', kv: KeyValue, prev: KvRow | undefined): void => {
        this.stmt.insertChange.run(
          revision, events.length, kv.key, type, kv.value, kv.createRevision, kv.version,
          prev?.value ?? null, prev?.create_revision ?? null, prev?.mod_revision ?? null, prev?.version ?? null,
        );
        const event: WatchEvent = { type, kv };
        if (prev) event.prevKv = toKeyValue(prev);
        events.push(freezeEvent(event));
      };
      const remove = (prev: KvRow): void => {
        this.stmt.delete.run(prev.key);
        record('delete', { key: prev.key, value: '', createRevision: 0, modRevision: revision, version: 0 }, prev);
      };
      for (const op of ops) {
        if (op.type === 'put') {
          const prev = this.stmt.get.get(op.key);
          const kv: KeyValue = {
            key: op.key,
            value: op.value,
            createRevision: prev?.create_revision ?? revision,
            modRevision: revision,
            version: (prev?.version ?? 0) + 1,
          };
          this.stmt.upsert.run(kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version);
          record('put', kv, prev);
        } else if (op.type === 'delete') {
          const prev = this.stmt.get.get(op.key);
          if (prev) remove(prev);
        } else {
          const upper = prefixEnd(op.prefix);
          const victims =
            upper === undefined
              ? this.stmt.range.ge.all(op.prefix, -1)
              : this.stmt.range.geBounded.all(op.prefix, upper, -1);
          for (const prev of victims) remove(prev);
        }
      }
      if (events.length === 0) return 'unchanged';
      this.stmt.setMeta.run('revision', revision);
      return { revision, events, compactRevision: this.maybeCompact(revision) };
    });
    return run.immediate();
  }

  /**
   * Drops history older than the latest `historyRevisions`, a batch at a time (a range delete
   * on the primary key). Returns the compact revision in force after this txn.
   */
  private maybeCompact(revision: number): number {
    const keepFrom = revision - this.historyRevisions + 1;
    if (this.replays > 0 || keepFrom - this.compactRevision < this.compactBatch) return this.compactRevision;
    this.stmt.compact.run(keepFrom);
    this.stmt.setMeta.run('compact_revision', keepFrom);
    return keepFrom;
  }

  /**
   * Discards history before `revision`, as etcd's Compact does. Watches already following live
   * commits are never behind here (delivery is synchronous), so only later watches from an
   * older revision see onCompacted. A replay in progress keeps reading its rows: they are
   * dropped when it ends.
   */
  async compact(revision: number): Promise<void> {
    this.ensureOpen();
    if (!Number.isInteger(revision) || revision < 1) throw new RangeError('compact revision must be a positive integer');
    if (revision > this.rev) throw new RangeError(`compact revision ${revision} is above the current revision ${this.rev}`);
    if (revision <= this.compactRevision) return;
    this.compactRevision = revision;
    this.stmt.setMeta.run('compact_revision', revision);
    if (this.replays > 0) this.purgeDeferred = true;
    else this.stmt.compact.run(revision);
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void, options: WatchOptions = {}): Unwatch {
    this.ensureOpen();
    checkKey(prefix, 'prefix');
    const onProgress = options.onProgress;
    const watcher: Watcher = { prefix, onEvent, onProgress, delivered: this.rev, progressed: this.rev, active: true };
    const unwatch: Unwatch = () => {
      watcher.active = false;
      this.watchers.delete(watcher);
    };
    if (options.fromRevision === undefined) {
      this.watchers.add(watcher);
      return unwatch;
    }
    const from = Math.max(1, Math.floor(options.fromRevision));
    if (from < this.compactRevision) {
      watcher.active = false;
      if (options.onCompacted) this.callSafely(() => options.onCompacted?.(this.compactRevision));
      return unwatch;
    }
    // Commits made by callbacks during the replay are queued and delivered after it.
    const outermost = !this.dispatching;
    this.dispatching = true;
    try {
      const upTo = this.rev;
      // Progress is reported from the replay's end on; a watch from the future has none yet.
      watcher.progressed = from - 1;
      this.replay(watcher, from - 1, upTo);
      watcher.delivered = Math.max(upTo, from - 1);
      if (watcher.active) this.watchers.add(watcher);
    } finally {
      if (outermost) {
        this.dispatching = false;
        this.drain();
      }
    }
    return unwatch;
  }

  /** Delivers logged changes with revision in (after, upTo] to one watcher, a page at a time. */
  private replay(watcher: Watcher, after: number, upTo: number): void {
    const upper = prefixEnd(watcher.prefix);
    let cursor: [number, number] = [after, Number.MAX_SAFE_INTEGER];
    this.replays++;
    try {
      while (watcher.active && !this.closed) {
        const rows =
          upper === undefined
            ? this.stmt.history.all(cursor[0], cursor[1], upTo, watcher.prefix, REPLAY_PAGE)
            : this.stmt.historyBounded.all(cursor[0], cursor[1], upTo, watcher.prefix, upper, REPLAY_PAGE);
        for (const row of rows) {
          if (!watcher.active) return;
          this.callSafely(() => watcher.onEvent(toEvent(row)));
        }
        if (rows.length < REPLAY_PAGE) return;
        const last = rows[rows.length - 1];
        cursor = [last.revision, last.seq];
      }
    } finally {
      this.replays--;
      if (this.replays === 0 && this.purgeDeferred && !this.closed) {
        this.purgeDeferred = false;
        this.stmt.compact.run(this.compactRevision);
      }
    }
  }

  private publish(commit: Commit): void {
    this.pending.push(commit);
    this.drain();
  }

  /**
   * Hands queued commits to watchers in revision order; re-entrant commits join the queue.
   * Once the queue is empty, each watcher that asked for progress hears how far it got.
   */
  private drain(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      do {
        for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
          for (const watcher of [...this.watchers]) this.deliver(watcher, next);
        }
        this.reportProgress();
      } while (this.pending.length > 0);
    } finally {
      this.dispatching = false;
    }
  }

  private reportProgress(): void {
    for (const watcher of [...this.watchers]) {
      if (!watcher.active || watcher.onProgress === undefined || watcher.delivered <= watcher.progressed) continue;
      const revision = watcher.delivered;
      watcher.progressed = revision;
      this.callSafely(() => watcher.onProgress?.(revision));
    }
  }

  private deliver(watcher: Watcher, commit: Commit): void {
    if (commit.revision <= watcher.delivered) return;
    watcher.delivered = commit.revision;
    for (const event of commit.events) {
      if (!watcher.active) return;
      if (event.kv.key.startsWith(watcher.prefix)) this.callSafely(() => watcher.onEvent(event));
    }
  }

  private callSafely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      try {
        this.onWatcherError(error);
      } catch {
        // An error reporter that throws must not break the store either.
      }
    }
  }

  /** Closes the database and ends every watch. Further calls reject with StoreClosedError; closing twice is a no-op. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watcher of this.watchers) watcher.active = false;
    this.watchers.clear();
    this.pending.length = 0;
    this.db.close();
  }
}

function validateTxn(compares: Compare[], ops: Op[]): void {
  if (!Array.isArray(compares) || !Array.isArray(ops)) throw new TypeError('compares and ops must be arrays');
  for (const c of compares) {
    checkKey(c.key, 'compare key');
    if (!Number.isInteger(c.modRevision) || c.modRevision < 0) {
      throw new RangeError('compare modRevision must be a non-negative integer');
    }
  }
  for (const op of ops) {
    if (op.type === 'put') {
      checkKey(op.key, 'put key');
      if (op.key === '') throw new RangeError('put key must not be empty');
      if (typeof op.value !== 'string') throw new TypeError('put value must be a string');
    } else if (op.type === 'delete') {
      checkKey(op.key, 'delete key');
    } else if (op.type === 'deletePrefix') {
      checkKey(op.prefix, 'deletePrefix prefix');
    } else {
      throw new TypeError(`unknown op type ${String((op as { type: unknown }).type)}`);
    }
  }
}
