/**
 * Basic image scanning: an image's OS package inventory matched against an operator-imported
 * OSV feed. The ECR actions (StartImageScan, DescribeImageScanFindings) and the push path
 * (scan on push) build on this.
 */
export {
  INVENTORY_FILES, inventoryOf, manifestLayers, mergeLayers, parseApkInstalled, parseDpkgStatus, parseOsRelease, readImageInventory,
  readLayerFiles,
} from './inventory.ts';
export type { ImageInventory, InstalledPackage, LayerFiles } from './inventory.ts';
export {
  SEVERITY_ORDER, cvss3BaseScore, ecosystemOf, indexAdvisories, isAffected, matchInventory, parseOsvFeed, severityCounts,
  severityFromScore, severityFromWord,
} from './osv.ts';
export type { FindingSeverity, OsvAdvisory, OsvAffected, OsvEvent, OsvIndex, ScanFinding } from './osv.ts';
export {
  STALE_SCAN_MS, getScan, importOsvFeed, inProgress, isScannable, loadOsvFeed, runImageScan, scanKeys, scanOnPush,
} from './scan.ts';
export type { OsvFeedRecord, ScanDeps, ScanRecord, ScanStatus } from './scan.ts';
export { compareAlpineVersions, compareDebianVersions, versionComparator } from './versions.ts';
export { TarReader, normalizeTarPath, type TarEntry } from './tar.ts';
