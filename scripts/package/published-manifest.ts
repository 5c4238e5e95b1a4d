/**
 * The package.json that goes to npm, derived from the repository's own. The repository's manifest
 * installs everything a developer of vaekit needs (training stack, onnxruntime-node, tfjs-node as
 * an optional dependency); the published one keeps as dependencies only what every app that runs
 * models needs, and lists the rest — the packages of src/optional-peers.ts — as optional peers, so
 * `npm i vaekit` downloads nothing at install time and carries no training stack.
 */
import * as optionalPeers from '../../src/optional-peers.js';
import type { OptionalPeer } from '../../src/optional-peers.js';

export interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional: boolean }>;
  exports: Record<string, unknown>;
  sideEffects?: string[] | boolean;
  [field: string]: unknown;
}

/** Fields copied as they are; everything else of the repository's manifest (scripts, devDependencies…) stays home. */
const COPIED = ['name', 'version', 'description', 'keywords', 'license', 'repository', 'homepage', 'bugs', 'type', 'engines', 'bin', 'exports', 'main', 'module', 'types'] as const;

/** Every optional peer, once (src/optional-peers.ts exports them as lists by feature). */
export function allOptionalPeers(): OptionalPeer[] {
  const byName = new Map<string, OptionalPeer>();
  for (const value of Object.values(optionalPeers)) {
    if (!Array.isArray(value)) continue;
    for (const peer of value as OptionalPeer[]) byName.set(peer.name, peer);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Derives the published manifest. Throws when the two lists disagree: a peer the repository does
 * not install at the same `^version`, or a repository dependency that is neither kept nor a peer.
 */
export function publishedManifest(repository: Manifest, shipped: (file: string) => boolean): Manifest {
  const peers = allOptionalPeers();
  const installed = { ...repository.dependencies, ...repository.optionalDependencies };
  for (const peer of peers) {
    if (installed[peer.name] !== `^${peer.version}`) {
      throw new Error(`src/optional-peers.ts lists ${peer.name}@${peer.version}, but package.json installs ${peer.name}@${installed[peer.name] ?? '(nothing)'}; expected ^${peer.version}`);
    }
  }
  const peerNames = new Set(peers.map((p) => p.name));
  const strayOptional = Object.keys(repository.optionalDependencies ?? {}).filter((name) => !peerNames.has(name));
  if (strayOptional.length) throw new Error(`optionalDependencies ${strayOptional.join(', ')} must be listed in src/optional-peers.ts (apps would install them)`);

  const copied = Object.fromEntries(COPIED.filter((field) => repository[field] !== undefined).map((field) => [field, repository[field]]));
  const manifest: Manifest = { ...copied, name: repository.name, version: repository.version, exports: repository.exports };
  if (Array.isArray(repository.sideEffects)) manifest.sideEffects = repository.sideEffects.filter((file) => shipped(file.replace(/^\.\//, '')));
  manifest.dependencies = Object.fromEntries(Object.entries(repository.dependencies ?? {}).filter(([name]) => !peerNames.has(name)));
  manifest.peerDependencies = Object.fromEntries(peers.map((p) => [p.name, `^${p.version}`]));
  manifest.peerDependenciesMeta = Object.fromEntries(peers.map((p) => [p.name, { optional: true }]));
  return manifest;
}
