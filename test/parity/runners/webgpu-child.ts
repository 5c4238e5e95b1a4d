/**
 * Runner 3 — onnxruntime-node on webgpu, in a child process started by parity.test.ts with the
 * SwiftShader environment (LD_LIBRARY_PATH=/usr/lib/chromium, VK_ICD_FILENAMES=…), which Dawn
 * reads when the process loads Vulkan. argv[2] = the input JSON written by the parent. Prints one
 * JSON line: the ConformanceResult, or { error }.
 */
import { readFile } from 'node:fs/promises';
import type { ConformanceInput } from '../conformance.js';
import { runOrtNode } from './node.js';

try {
  const input = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as ConformanceInput;
  const result = await runOrtNode(input, 'webgpu');
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  const err = e as { code?: string; message?: string };
  process.stdout.write(`${JSON.stringify({ error: { code: err.code ?? null, message: String(err.message ?? e) } })}\n`);
  process.exitCode = 1;
}
