/**
 * Where the replica worker's entry is. From source (tsx, vitest) it is the .ts beside this file;
 * the build (rollup.config.mjs, plugin `replica-worker-entry`) replaces this module with the URL
 * of dist/train-worker.js, wherever the chunk holding this code lands.
 */
export const REPLICA_WORKER_URL: URL = new URL('./replica-worker.ts', import.meta.url);
