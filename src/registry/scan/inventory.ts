/**
 * What an image has installed, as basic scanning needs it: the OS (`etc/os-release`) and the
 * packages its package manager recorded (dpkg's `var/lib/dpkg/status`, apk's
 * `lib/apk/db/installed`). The parsers are pure; `readImageInventory` streams the layers out
 * of the blob store, bottom to top, through gunzip and a small tar reader, applying whiteouts,
 * so the files seen are the ones the image's top layer shows.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BlobStore } from '../blob-store.ts';
import { TarReader } from './tar.ts';

/** One installed package. `sourceName`/`sourceVersion` name the source package it was built from, which advisories are keyed by. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** Which package database listed it. */
  source: 'dpkg' | 'apk';
  sourceName?: string;
  sourceVersion?: string;
}

/** An image's OS and packages. `os` is empty when the image has no os-release. */
export interface ImageInventory {
  os: { id?: string; versionId?: string };
  packages: InstalledPackage[];
}

/** The files an inventory is read from, as layer paths. */
export const INVENTORY_FILES = {
  osRelease: ['etc/os-release', 'usr/lib/os-release'],
  dpkg: 'var/lib/dpkg/status',
  apk: 'lib/apk/db/installed',
} as const;
const WANTED = new Set<string>([...INVENTORY_FILES.osRelease, INVENTORY_FILES.dpkg, INVENTORY_FILES.apk]);

/** Splits a control-style file into paragraphs of `Key: value` fields (continuation lines start with a space or tab). */
function paragraphs(text: string, separator: RegExp): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size) out.push(current);
      current = new Map();
      last = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      current.set(last, `${current.get(last)}\n${line.trim()}`);
      continue;
    }
    const m = separator.exec(line);
    if (!m) continue;
    last = m[1];
    current.set(m[1], m[2].trim());
  }
  if (current.size) out.push(current);
  return out;
}

/** The installed packages of a dpkg status file (Status `… installed`), with their source package when it differs. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const p of paragraphs(text, /^([A-Za-z0-9-]+):(.*)$/)) {
    const name = p.get('Package');
    const version = p.get('Version');
    const status = (p.get('Status') ?? '').split(/\s+/);
    if (!name || !version || status[status.length - 1] !== 'installed') continue;
    const pkg: InstalledPackage = { name, version, source: 'dpkg' };
    const src = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(p.get('Source') ?? '');
    if (src) {
      pkg.sourceName = src[1];
      pkg.sourceVersion = src[2] ?? version;
    }
    packages.push(pkg);
  }
  return packages;
}

/** The packages of an apk database (`P:` name, `V:` version, `o:` origin), one record per blank-line-separated block. */
export function parseApkInstalled(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const r of paragraphs(text, /^([A-Za-z]):(.*)$/)) {
    const name = r.get('P');
    const version = r.get('V');
    if (!name || !version) continue;
    const pkg: InstalledPackage = { name, version, source: 'apk' };
    const origin = r.get('o');
    if (origin && origin !== name) {
      pkg.sourceName = origin;
      pkg.sourceVersion = version;
    }
    packages.push(pkg);
  }
  return packages;
}

/** `ID` and `VERSION_ID` of an os-release file (values may be quoted). */
export function parseOsRelease(text: string): { id?: string; versionId?: string } {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2].trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    values.set(m[1], v);
  }
  const id = values.get('ID');
  const versionId = values.get('VERSION_ID');
  return { ...(id !== undefined && { id }), ...(versionId !== undefined && { versionId }) };
}

/** One layer's effect on the inventory files: contents it adds, and paths its whiteouts remove from the layers below. */
export interface LayerFiles {
  files: Map<string, Buffer>;
  /** Removed paths (`dir/.wh.name` → `dir/name`) and, for `.wh..wh..opq`, opaque directories (with a trailing `/`). */
  whiteouts: string[];
}

/** Applies layers bottom to top: each layer's whiteouts hide lower layers' files, then its own files are laid on. */
export function mergeLayers(layers: LayerFiles[]): Map<string, Buffer> {
  const merged = new Map<string, Buffer>();
  for (const layer of layers) {
    for (const w of layer.whiteouts) {
      for (const path of [...merged.keys()]) {
        if (w.endsWith('/') ? path.startsWith(w) : path === w || path.startsWith(`${w}/`)) merged.delete(path);
      }
    }
    for (const [path, data] of layer.files) merged.set(path, data);
  }
  return merged;
}

/** The inventory of the merged inventory files (paths as in `INVENTORY_FILES`). */
export function inventoryOf(files: Map<string, Buffer>): ImageInventory {
  const osRelease = INVENTORY_FILES.osRelease.map((p) => files.get(p)).find((b) => b !== undefined);
  const os = osRelease ? parseOsRelease(osRelease.toString('utf8')) : {};
  const dpkg = files.get(INVENTORY_FILES.dpkg);
  const apk = files.get(INVENTORY_FILES.apk);
  const packages = [
    ...(dpkg ? parseDpkgStatus(dpkg.toString('utf8')) : []),
    ...(apk ? parseApkInstalled(apk.toString('utf8')) : []),
  ];
  return { os, packages };
}

/** Reads one layer (gzip'd or plain tar) for the inventory files and whiteouts. zstd layers are refused. */
export async function readLayerFiles(stream: Readable): Promise<LayerFiles> {
  const files = new Map<string, Buffer>();
  const whiteouts: string[] = [];
  const tar = new TarReader(
    (path) => WANTED.has(path),
    (entry) => {
      const slash = entry.path.lastIndexOf('/');
      const dir = entry.path.slice(0, slash + 1);
      const base = entry.path.slice(slash + 1);
      if (base === '.wh..wh..opq') whiteouts.push(dir);
      else if (base.startsWith('.wh.')) whiteouts.push(dir + base.slice(4));
      else if (entry.data) files.set(entry.path, entry.data);
    },
  );
  // Decide on the first chunk whether the layer is gzip'd; then stream everything through.
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await iterator.next();
  if (!head.done) {
    const start = head.value;
    if (start.length >= 4 && start.readUInt32LE(0) === 0xfd2fb528) throw new Error('zstd-compressed layers are not supported');
    const rest = Readable.from((async function* () {
      yield start;
      for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield n.value;
    })());
    const sink = async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) tar.push(chunk);
    };
    if (start[0] === 0x1f && start[1] === 0x8b) await pipeline(rest, createGunzip(), sink);
    else await pipeline(rest, sink);
  }
  tar.end();
  return { files, whiteouts };
}

/** The layer digests of an image manifest (Docker v2 schema 2 or OCI), in order, bottom first. */
export function manifestLayers(manifest: Buffer): string[] {
  const doc = JSON.parse(manifest.toString('utf8')) as { layers?: { digest?: unknown; mediaType?: unknown }[] };
  if (!Array.isArray(doc.layers)) throw new Error('the manifest has no layers');
  return doc.layers.map((l) => {
    if (typeof l.digest !== 'string') throw new Error('a layer has no digest');
    return l.digest;
  });
}

/** Streams an image's layers out of the blob store and returns its inventory. A missing layer is an error. */
export async function readImageInventory(blobs: BlobStore, layers: string[]): Promise<ImageInventory> {
  const perLayer: LayerFiles[] = [];
  for (const digest of layers) {
    const blob = await blobs.read(digest);
    if (!blob) throw new Error(`layer ${digest} is not in the blob store`);
    try {
      perLayer.push(await readLayerFiles(blob.stream));
    } finally {
      blob.stream.destroy();
    }
  }
  return inventoryOf(mergeLayers(perLayer));
}
