/** vaekit.json: the schema, validation with defaults, and the graphs' SHA-256 integrity check. */
export * from './schema.js';
export { parseManifest, manifestProblems, formatProblems } from './validate.js';
export type { ManifestProblem } from './check.js';
export { verifyGraphIntegrity, type IntegrityManifest } from './integrity.js';
export { graphContract, type NameContract } from './contract.js';
export { MANIFEST_DEFAULTS } from './records.js';
export { sha256Hex } from './sha256.js';
