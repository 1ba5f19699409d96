/**
 * Parsing and validating a pushed manifest, by media type: Docker image manifest v2 schema 2,
 * Docker manifest list, OCI image manifest and OCI image index. What comes out is what the
 * registry must check and remember: the blobs it needs (config and layers), the child
 * manifests an index needs, its `subject` (the referrers API) and artifactType. Pure: no I/O.
 */
import { requireSha256, sha256Digest } from './digest.ts';
import { RegistryError, RegistryErrors } from './errors.ts';

/** The manifest media types this registry stores. */
export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const IMAGE_MANIFESTS = new Set<string>([MediaTypes.dockerManifest, MediaTypes.ociManifest]);
const INDEXES = new Set<string>([MediaTypes.dockerManifestList, MediaTypes.ociIndex]);
const SCHEMA1 = new Set(['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws']);
/** Content types that say nothing about the manifest: the body's `mediaType` decides. */
const GENERIC = new Set(['', 'application/json', 'application/octet-stream', 'text/plain', 'binary/octet-stream']);
/** Layers that are never pushed to a registry (Windows base layers and the like). */
const NON_DISTRIBUTABLE = /^application\/vnd\.(docker\.image\.rootfs\.foreign\.diff\.tar\.gzip|oci\.image\.layer\.nondistributable\.)/;

/** distribution's default limit, and the least the OCI spec asks registries to accept. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** True for the media types of image manifests and indexes this registry stores. */
export function isManifestMediaType(mediaType: string): boolean {
  return IMAGE_MANIFESTS.has(mediaType) || INDEXES.has(mediaType);
}

/** True for an index / manifest list media type. */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEXES.has(mediaType);
}

/** An OCI content descriptor, as it appears in a manifest. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
  urls?: string[];
}

/** What a manifest says, validated. */
export interface ParsedManifest {
  mediaType: string;
  /** `sha256:` of the bytes exactly as pushed. */
  digest: string;
  size: number;
  kind: 'image' | 'index';
  config?: Descriptor;
  layers: Descriptor[];
  /** Blobs that must be in the repository: the config and the distributable layers, once each. */
  blobs: string[];
  /** For an index: its manifests, which must be in the repository. */
  children: Descriptor[];
  subject?: Descriptor;
  /**
   * As the referrers API reports it: the manifest's `artifactType`, else (for an image
   * manifest) its config's media type; undefined for an index without one.
   */
  artifactType?: string;
  annotations?: Record<string, string>;
  /** The sum of the layers' sizes (what ECR reports as imageSizeInBytes for an image manifest). */
  layersSize: number;
}

/** The media type without parameters, lowercased. */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Parses and validates `bytes` pushed with `contentType`. The media type is the Content-Type
 * when it names a manifest type (a body `mediaType` must then agree); with a generic or absent
 * Content-Type, the body's `mediaType` (or its shape) decides. Throws MANIFEST_INVALID (413 when
 * over `limit` bytes).
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, limit = MAX_MANIFEST_BYTES): ParsedManifest {
  if (bytes.length > limit) throw RegistryErrors.manifestTooLarge(bytes.length, limit);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw RegistryErrors.manifestInvalid('the body is not valid JSON');
  }
  if (!isObject(doc)) throw RegistryErrors.manifestInvalid('the body is not a JSON object');
  const mediaType = resolveMediaType(doc, baseMediaType(contentType));
  if (doc.schemaVersion !== 2) throw RegistryErrors.manifestInvalid(`schemaVersion must be 2, not ${JSON.stringify(doc.schemaVersion)}`);

  const digest = sha256Digest(bytes);
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const annotations = doc.annotations === undefined ? undefined : stringMap(doc.annotations, 'annotations');
  const ownArtifactType = optionalString(doc.artifactType, 'artifactType') || undefined;
  const base = { mediaType, digest, size: bytes.length, subject, annotations };

  if (INDEXES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw RegistryErrors.manifestInvalid('an image index must have a "manifests" array');
    const children = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    for (const [i, child] of children.entries()) {
      if (!isManifestMediaType(child.mediaType)) {
        throw RegistryErrors.manifestInvalid(`manifests[${i}].mediaType '${child.mediaType}' is not a manifest media type this registry stores`);
      }
    }
    return { ...base, kind: 'index', layers: [], blobs: [], children, artifactType: ownArtifactType, layersSize: 0 };
  }

  const config = descriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw RegistryErrors.manifestInvalid('an image manifest must have a "layers" array');
  const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
  const blobs = [...new Set([config.digest, ...layers.filter((l) => !NON_DISTRIBUTABLE.test(l.mediaType)).map((l) => l.digest)])];
  const layersSize = layers.reduce((sum, l) => sum + l.size, 0);
  return { ...base, kind: 'image', config, layers, blobs, children: [], artifactType: ownArtifactType ?? config.mediaType, layersSize };
}

function resolveMediaType(doc: Record<string, unknown>, contentType: string): string {
  const declared = optionalString(doc.mediaType, 'mediaType');
  if (SCHEMA1.has(contentType) || (declared !== undefined && SCHEMA1.has(declared)) || doc.schemaVersion === 1) {
    throw new RegistryError('MANIFEST_INVALID', 'manifest invalid: Docker image manifest v2 schema 1 is not supported; push schema 2 or OCI', {
      ecrCode: 'UnsupportedImageTypeException',
    });
  }
  if (isManifestMediaType(contentType)) {
    if (declared !== undefined && declared !== contentType) {
      throw RegistryErrors.manifestInvalid(`the manifest's mediaType '${declared}' does not match its Content-Type '${contentType}'`);
    }
    return contentType;
  }
  if (!GENERIC.has(contentType)) throw RegistryErrors.manifestInvalid(`unsupported manifest media type '${contentType.slice(0, 200)}'`);
  if (declared !== undefined) {
    if (!isManifestMediaType(declared)) throw RegistryErrors.manifestInvalid(`unsupported manifest media type '${declared.slice(0, 200)}'`);
    return declared;
  }
  if (Array.isArray(doc.manifests)) return MediaTypes.ociIndex;
  if (isObject(doc.config)) return MediaTypes.ociManifest;
  throw RegistryErrors.manifestInvalid('cannot tell the manifest type: no mediaType and no config or manifests');
}

/** Validates one descriptor (config, layer, child manifest, subject); `path` names it in errors. */
function descriptor(value: unknown, path: string): Descriptor {
  if (!isObject(value)) throw RegistryErrors.manifestInvalid(`${path} must be a descriptor object`);
  const mediaType = value.mediaType;
  if (typeof mediaType !== 'string' || mediaType === '') throw RegistryErrors.manifestInvalid(`${path}.mediaType must be a non-empty string`);
  if (typeof value.digest !== 'string') throw RegistryErrors.manifestInvalid(`${path}.digest must be a string`);
  try {
    requireSha256(value.digest);
  } catch (error) {
    if (error instanceof RegistryError) throw RegistryErrors.manifestInvalid(`${path}.digest: ${error.message}`, { path });
    throw error;
  }
  const size = value.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw RegistryErrors.manifestInvalid(`${path}.size must be a non-negative integer`);
  }
  const out: Descriptor = { mediaType, digest: value.digest, size };
  const artifactType = optionalString(value.artifactType, `${path}.artifactType`);
  if (artifactType !== undefined) out.artifactType = artifactType;
  if (value.annotations !== undefined) out.annotations = stringMap(value.annotations, `${path}.annotations`);
  if (isObject(value.platform)) out.platform = value.platform;
  if (Array.isArray(value.urls)) out.urls = value.urls.filter((u): u is string => typeof u === 'string');
  return out;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw RegistryErrors.manifestInvalid(`${path} must be a string`);
  return value;
}

function stringMap(value: unknown, path: string): Record<string, string> {
  if (!isObject(value)) throw RegistryErrors.manifestInvalid(`${path} must be an object of strings`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw RegistryErrors.manifestInvalid(`${path}.${key} must be a string`);
  }
  return value as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
