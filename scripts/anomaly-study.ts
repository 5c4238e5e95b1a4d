/**
 * The anomaly-detection study of the README ("Scoring and anomaly detection"): how well the
 * anomaly scores of vae.anomaly separate in-distribution test rows from another data set, in both
 * directions between MNIST and Fashion-MNIST, with and without the input-complexity adjustment.
 *
 *   npx tsx scripts/anomaly-study.ts --fashion-model runs/fm-mlp/onnx [--k 100] [--seed 0] [--out docs]
 *
 * - MNIST model (models/mnist-mlp): in-distribution = the 997 MNIST test digits, anomalies =
 *   Fashion-MNIST's 10 000 test images.
 * - Fashion-MNIST model (`vaekit train --data fashion-mnist --epochs 10 --seed 1 --iwae-samples 100
 *   --out runs/fm-mlp`): in-distribution = Fashion-MNIST's 10 000 test images, anomalies = the
 *   10 000 embedded MNIST digits (none of which it saw).
 *
 * Scores are those of vae.anomaly (ε streams of `vaekit score`, row i of each set at offset i);
 * the threshold is the 99th percentile (definition 7) of the in-distribution test scores, i.e. what
 * a calibration on the test split with this k records. Writes <out>/anomaly-study.json and the PNG
 * pictures; prints a table.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Vae } from '../src/node.js';
import { loadDataset } from '../src/train/data/load-dataset.js';
import { referenceScores, type ReferenceScores } from '../src/vae/anomaly-calibration.js';
import { quantiles } from '../src/vae/calibration.js';
import { histogramsPng, rocPng, type RocCurve } from './anomaly-charts.js';

const { values: args } = parseArgs({
  options: {
    'fashion-model': { type: 'string' },
    'mnist-model': { type: 'string', default: 'models/mnist-mlp' },
    k: { type: 'string', default: '100' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'docs' },
  },
});
if (!args['fashion-model']) throw new Error('--fashion-model <dir>: the exported Fashion-MNIST model (see the header of this script)');
const k = Number(args.k);
const seed = Number(args.seed);

type ScoreName = 'nll' | 'negElbo' | 'nllComplexity' | 'negElboComplexity';
const SCORE_NAMES: ScoreName[] = ['nll', 'negElbo', 'nllComplexity', 'negElboComplexity'];

/** AUROC with anomalies as positives and higher scores as more anomalous: P(score_out > score_in), ties count ½ (Mann–Whitney U). */
export function auroc(inDist: Float64Array, anomalies: Float64Array): number {
  const all = [...Array.from(inDist, (v) => [v, 0] as const), ...Array.from(anomalies, (v) => [v, 1] as const)].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (all[t]![1] === 1) rankSum += midRank;
    i = j;
  }
  const nOut = anomalies.length;
  return (rankSum - (nOut * (nOut + 1)) / 2) / (nOut * inDist.length);
}

/** ROC points at every distinct threshold (thinned to ≤ 400 points for the picture). */
function rocPoints(inDist: Float64Array, anomalies: Float64Array): Array<[number, number]> {
  const all = [...Array.from(inDist, (v) => [v, 0] as const), ...Array.from(anomalies, (v) => [v, 1] as const)].sort((a, b) => b[0] - a[0]);
  const points: Array<[number, number]> = [[0, 0]];
  let tp = 0, fp = 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i]![1] === 1) tp++;
    else fp++;
    if (i === all.length - 1 || all[i + 1]![0] !== all[i]![0]) points.push([fp / inDist.length, tp / anomalies.length]);
  }
  const step = Math.max(1, Math.floor(points.length / 400));
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}

function scoreOf(s: ReferenceScores, name: ScoreName): Float64Array {
  const base = name.startsWith('nll') ? s.nll : s.negElbo;
  return name.endsWith('Complexity') ? base.map((v, i) => v - s.complexityBits![i]! * Math.LN2) : base;
}

async function scoreSet(vae: Vae, x: Float32Array, n: number, label: string): Promise<{ scores: ReferenceScores; seconds: number }> {
  const start = performance.now();
  let last = -1;
  const scores = await referenceScores(vae, x, n, {
    data: label, k, seed,
    onProgress: (phase, done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (phase === 'nll' && pct >= last + 10) {
        last = pct;
        process.stderr.write(`  ${label}: IWAE-${k} ${pct}%\n`);
      }
    },
  });
  return { scores, seconds: (performance.now() - start) / 1000 };
}

interface Direction {
  name: string;
  model: string;
  inName: string;
  outName: string;
  inX: Float32Array;
  inN: number;
  outX: Float32Array;
  outN: number;
}

const mnist = await loadDataset('mnist', {});
const fashion = await loadDataset('fashion-mnist', {});
const allMnist = new Float32Array(mnist.train.x.length + mnist.test.x.length);
allMnist.set(mnist.train.x);
allMnist.set(mnist.test.x, mnist.train.x.length);

const directions: Direction[] = [
  {
    name: 'mnist-model', model: args['mnist-model']!,
    inName: `MNIST test digits (${mnist.test.count})`, outName: `Fashion-MNIST test images (${fashion.test.count})`,
    inX: mnist.test.x, inN: mnist.test.count, outX: fashion.test.x, outN: fashion.test.count,
  },
  {
    name: 'fashion-model', model: args['fashion-model']!,
    inName: `Fashion-MNIST test images (${fashion.test.count})`, outName: `MNIST digits (${mnist.train.count + mnist.test.count})`,
    inX: fashion.test.x, inN: fashion.test.count, outX: allMnist, outN: mnist.train.count + mnist.test.count,
  },
];

const results: Record<string, unknown> = {};
const rocCurves: RocCurve[] = [];
const COLORS: Record<string, string> = { 'mnist-model': '#1f77b4', 'fashion-model': '#d62728' };
console.log(`| model | in-distribution | anomalies | score | AUROC | anomalies flagged at the 99th percentile |`);
console.log(`|---|---|---|---|---|---|`);
for (const d of directions) {
  const vae = await Vae.load(d.model, { device: 'cpu' });
  process.stderr.write(`${d.name} (${d.model}): scoring ${d.inN} + ${d.outN} rows, k = ${k}\n`);
  const inScores = await scoreSet(vae, d.inX, d.inN, d.inName);
  const outScores = await scoreSet(vae, d.outX, d.outN, d.outName);
  await vae.dispose();
  const perScore: Record<string, unknown> = {};
  for (const name of SCORE_NAMES) {
    const a = scoreOf(inScores.scores, name);
    const b = scoreOf(outScores.scores, name);
    const threshold = quantiles(a, [0.99])[0]!;
    const flagged = b.filter((v) => v > threshold).length / b.length;
    const value = auroc(a, b);
    perScore[name] = {
      auroc: value, threshold99: threshold, anomaliesFlagged: flagged, inDistributionFlagged: a.filter((v) => v > threshold).length / a.length,
      medianIn: quantiles(a, [0.5])[0], medianOut: quantiles(b, [0.5])[0],
    };
    console.log(`| ${d.name} | ${d.inName} | ${d.outName} | ${name} | ${value.toFixed(4)} | ${(100 * flagged).toFixed(1)} % |`);
    if (name === 'nll' || name === 'nllComplexity') {
      rocCurves.push({
        name: `${d.name === 'mnist-model' ? 'MNIST model vs Fashion' : 'Fashion model vs MNIST'}, ${name === 'nll' ? 'NLL' : 'NLL − complexity'}`,
        color: COLORS[d.name]!, dashed: name === 'nllComplexity', points: rocPoints(a, b), auroc: value,
      });
    }
  }
  results[d.name] = { model: d.model, inDistribution: d.inName, anomalies: d.outName, seconds: inScores.seconds + outScores.seconds, scores: perScore };
  const panel = (name: 'nll' | 'nllComplexity') => {
    const a = scoreOf(inScores.scores, name);
    return {
      title: name === 'nll' ? `IWAE-${k} NLL` : `IWAE-${k} NLL − complexity L(x)·ln 2`,
      xLabel: name === 'nll' ? 'score (nats)' : 'score (nats, PNG-deflate complexity subtracted)',
      inDistribution: { name: d.inName, values: a },
      anomalies: { name: d.outName, values: scoreOf(outScores.scores, name) },
      threshold: { value: quantiles(a, [0.99])[0]!, label: '99th percentile' },
    };
  };
  const title = d.name === 'mnist-model' ? 'Model trained on MNIST: MNIST test digits vs Fashion-MNIST' : 'Model trained on Fashion-MNIST: Fashion-MNIST test images vs MNIST digits';
  await writeFile(join(args.out!, `anomaly-histograms-${d.name}.png`), histogramsPng(title, [panel('nll'), panel('nllComplexity')]));
}
await writeFile(join(args.out!, 'anomaly-roc.png'), rocPng('ROC: anomalies (positives) vs in-distribution test rows', rocCurves));
const summary = { k, seed, threshold: '99th percentile (definition 7) of the in-distribution test scores', ...results };
await writeFile(join(args.out!, 'anomaly-study.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(`\nwrote ${join(args.out!, 'anomaly-study.json')}, anomaly-histograms-mnist-model.png, anomaly-histograms-fashion-model.png, anomaly-roc.png`);
