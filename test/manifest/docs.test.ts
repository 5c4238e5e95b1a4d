import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { checkGraphAgreement } from '../../src/manifest/graph-agreement.js';
import { inspectGraph } from '../../src/manifest/graph-inspection.js';
import { parseManifest } from '../../src/manifest/index.js';
import { thrown } from '../helpers/thrown.js';
import { MNIST_FOLDER, MNIST_TEXT, PYTORCH_TEXT, edited, rejection } from './manifests.js';

// docs/manifest.md's examples are copies of the real files and real messages: keep them so.
const DOC = readFileSync(fileURLToPath(new URL('../../docs/manifest.md', import.meta.url)), 'utf8');
const blocks = (lang: string) => [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]!);

/** A manifest as the page shows it: each calibration quantile array (119 numbers) by its first and last three values. */
const elided = (text: string) =>
  text.replace(/^(\s*"(?:p|negElbo|nll|negElboComplexity|nllComplexity)": )\[([^\]\n]*)\]/gm, (line, head: string, list: string) => {
    const values = list.split(',');
    return values.length > 8 ? `${head}[${values.slice(0, 3).join(', ')}, …, ${values.slice(-3).join(', ')}]` : line;
  });

describe('docs/manifest.md', () => {
  it('shows the shipped manifest first (quantile arrays elided) and the PyTorch fixture’s second, verbatim', () => {
    expect(blocks('json')).toEqual([elided(MNIST_TEXT).trimEnd(), PYTORCH_TEXT.trimEnd()]);
    for (const json of [MNIST_TEXT, PYTORCH_TEXT]) expect(() => parseManifest(json)).not.toThrow();
  });

  it('shows the message the manifest it describes really gets', () => {
    const broken = edited((m) => {
      m.input.range = [0];
      m.graphs.encoder.sha256 = 'not-a-hash';
      m.graphs.decoder.outputs = { recon: 'recon' };
    }, PYTORCH_TEXT);
    expect(blocks('')).toContain(rejection(broken).message);
  });

  it('shows the message Vae.load gives for a latentDim the graphs do not have', async () => {
    const facts = { encoder: inspectGraph(await readFile(`${MNIST_FOLDER}encoder.onnx`)), decoder: inspectGraph(await readFile(`${MNIST_FOLDER}decoder.onnx`)) };
    const lying = parseManifest(edited((m) => (m.latentDim = 21)));
    expect(blocks('')).toContain(thrown(() => checkGraphAgreement(lying, facts)).message);
  });
});
