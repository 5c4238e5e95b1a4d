import { describe, expect, it } from 'vitest';
import { formatProblems, manifestProblems, parseManifest } from '../../src/manifest/index.js';
import { type Json, MNIST_TEXT, PYTORCH_TEXT, edited, problemLines, rejection } from './manifests.js';

describe('parseManifest: valid manifests', () => {
  it('parses the shipped mnist-mlp manifest (text or object) unchanged', () => {
    const json = JSON.parse(MNIST_TEXT);
    expect(parseManifest(MNIST_TEXT)).toEqual(json);
    expect(parseManifest(json)).toEqual(json);
    expect(manifestProblems(json)).toEqual([]);
  });

  it('parses the hand-written PyTorch manifest and fills in the defaults', () => {
    const m = parseManifest(PYTORCH_TEXT);
    expect(m.input).toEqual({ shape: [784], layout: 'features', range: [0, 1], scaling: null });
    expect(m.condition).toBeNull();
    expect(m.precision).toBe('fp32');
    expect(m.training).toBeNull();
    expect(m).not.toHaveProperty('verification');
    expect(m.graphs.encoder.inputs).toEqual({ x: 'input.1' });
    expect(m.graphs.encoder.outputs).toEqual({ mu: 'fc21_out', logvar: 'fc22_out' });
    expect(m.graphs.decoder.outputs).toEqual({ mean: 'recon' });
  });

  it('defaults producer, precision, training and verification when absent or null', () => {
    const m = parseManifest(edited((m) => {
      delete m.producer; delete m.precision; m.training = null; m.verification = null; delete m.description;
    }));
    expect(m.producer).toEqual({ name: 'unknown', version: 'unknown' });
    expect(m.precision).toBe('fp32');
    expect(m.training).toBeNull();
    expect('verification' in m).toBe(false);
  });

  it('accepts a conditional gaussian model with min-max scaling and the other likelihoods', () => {
    const cvae = edited((m) => {
      m.input = { shape: [3], layout: 'features', range: [0, 1], scaling: { kind: 'min-max', min: [0, 1, 2], max: [1, 2, 4] } };
      m.condition = { classes: 2, labels: ['no', 'yes'] };
      m.likelihood = { kind: 'gaussian', sigma: 0.1 };
      m.graphs.encoder.inputs = { x: 'x', c: 'c' };
      m.graphs.decoder.inputs = { z: 'z', c: 'c' };
      m.graphs.decoder.outputs = { mean: 'mean' };
    });
    expect(parseManifest(cvae).condition).toEqual({ classes: 2, labels: ['no', 'yes'] });
    const learned = edited((m) => {
      m.likelihood = { kind: 'gaussian-learned' };
      m.input.scaling = { kind: 'standardize', mean: new Array(784).fill(0.5), std: new Array(784).fill(0.25) };
      m.graphs.decoder.outputs = { mean: 'mean', logvar_x: 'logvar_x' };
    });
    expect(parseManifest(learned).input.scaling).toMatchObject({ kind: 'standardize' });
  });

  it('returns a copy that does not share arrays or name maps with its argument', () => {
    const json = JSON.parse(MNIST_TEXT);
    const m = parseManifest(json);
    json.input.shape.push(9);
    json.graphs.encoder.inputs.x = 'other';
    expect(m.input.shape).toEqual([28, 28, 1]);
    expect(m.graphs.encoder.inputs.x).toBe('x');
  });
});

describe('parseManifest: format', () => {
  it('refuses another vaekit format version, naming it and the one it reads', () => {
    expect(rejection(edited((m) => (m.format = 'vaekit/2'))).message).toBe(
      'format: unknown format version "vaekit/2": this vaekit reads vaekit/1 (written by a newer vaekit: upgrade vaekit to load it)',
    );
    expect(rejection(edited((m) => (m.format = 'vaekit/0'))).message).toMatch(/unknown format version "vaekit\/0": this vaekit reads vaekit\/1/);
  });

  it('refuses what is not a vaekit manifest at all', () => {
    expect(rejection(edited((m) => delete m.format)).message).toBe('not a vaekit manifest: format: expected "vaekit/1"; found nothing (the field is missing)');
    expect(rejection(edited((m) => (m.format = 'onnx'))).message).toBe('not a vaekit manifest: format: expected "vaekit/1"; found "onnx"');
    expect(rejection('[1, 2]').message).toBe('not a vaekit manifest: expected a JSON object with format "vaekit/1"; found [1,2]');
    expect(rejection(null).message).toMatch(/^not a vaekit manifest: .*found null$/);
    expect(rejection('{"format": "vaekit/1",').message).toMatch(/^not a vaekit manifest: the text is not JSON \(/);
  });
});

describe('parseManifest: one problem each, named by its JSON path', () => {
  const cases: Array<[string, (m: Json) => void, string]> = [
    ['missing field', (m) => delete m.latentDim, 'latentDim: expected a positive integer (J, the latent dimension); found nothing (the field is missing)'],
    ['wrong type', (m) => (m.latentDim = '20'), 'latentDim: expected a positive integer (J, the latent dimension); found "20"'],
    ['empty name', (m) => (m.name = ' '), 'name: expected a non-empty string (the model’s name); found " "'],
    ['shape element', (m) => (m.input.shape = [28, 0, 1]), 'input.shape[1]: expected a positive integer; found 0'],
    ['layout rank', (m) => (m.input.shape = [784]), 'input.shape: expected 3 dimension(s) for layout "hwc" ([height, width, channels]); found [784]'],
    ['layout', (m) => (m.input.layout = 'nchw'), 'input.layout: expected one of "hwc", "chw", "features"; found "nchw"'],
    ['chw rank', (m) => {
      m.input.layout = 'chw';
      m.input.shape = [784];
    }, 'input.shape: expected 3 dimension(s) for layout "chw" ([channels, height, width]); found [784]'],
    ['range order', (m) => (m.input.range = [1, 0]), 'input.range: expected [lo, hi] with finite lo < hi; found [1,0]'],
    ['scaling length', (m) => (m.input.scaling = { kind: 'min-max', min: [0, 0], max: new Array(784).fill(1) }),
      'input.scaling.min: expected 784 values (one per feature: the product of input.shape); found 2 values'],
    ['scaling std', (m) => (m.input.scaling = { kind: 'standardize', mean: new Array(784).fill(0), std: new Array(784).fill(0) }),
      'input.scaling.std[0]: expected a value > 0; found 0'],
    ['condition labels', (m) => {
      m.condition = { classes: 3, labels: ['a', 'b'] };
      m.graphs.encoder.inputs.c = 'c';
      m.graphs.decoder.inputs.c = 'c';
    }, 'condition.labels: expected 3 labels (condition.classes); found 2 labels'],
    ['condition classes', (m) => {
      m.condition = { classes: 1, labels: ['a'] };
      m.graphs.encoder.inputs.c = 'c';
      m.graphs.decoder.inputs.c = 'c';
    }, 'condition.classes: expected an integer ≥ 2; found 1'],
    ['likelihood kind', (m) => (m.likelihood = { kind: 'poisson' }), 'likelihood.kind: expected one of "bernoulli", "gaussian", "gaussian-learned"; found "poisson"'],
    ['gaussian sigma', (m) => {
      m.likelihood = { kind: 'gaussian', sigma: 0 };
      m.graphs.decoder.outputs = { mean: 'mean' };
    }, 'likelihood.sigma: expected a finite number > 0 (the decoder’s fixed standard deviation); found 0'],
    ['prior', (m) => (m.prior = { kind: 'vamp' }), 'prior: expected {"kind": "standard-normal"}; found {"kind":"vamp"}'],
    ['sha256 form', (m) => (m.graphs.encoder.sha256 = m.graphs.encoder.sha256.toUpperCase()),
      'graphs.encoder.sha256: expected 64 lowercase hex digits (`sha256sum encoder.onnx`); found "25D182CB9F64B971A4B1144724F3677A3EB6A13274B8599B45994A521ECA8BC9"'],
    ['sha256 length', (m) => (m.graphs.decoder.sha256 = 'd3668fe9'), 'graphs.decoder.sha256: expected 64 lowercase hex digits (`sha256sum decoder.onnx`); found "d3668fe9"'],
    ['file outside the folder', (m) => (m.graphs.decoder.file = '../other/decoder.onnx'),
      'graphs.decoder.file: expected a file name relative to vaekit.json (no "..", no absolute path or URL); found "../other/decoder.onnx"'],
    ['bytes', (m) => (m.graphs.encoder.bytes = -1), 'graphs.encoder.bytes: expected the file size in bytes, a positive integer (`wc -c < encoder.onnx`); found -1'],
    ['no bernoulli decoder output', (m) => (m.graphs.decoder.outputs = {}),
      'graphs.decoder.outputs: expected an object mapping the contract\'s outputs "mean" or "logits" (or both) to the graph\'s output names; found an empty object'],
    ['missing encoder output', (m) => (m.graphs.encoder.outputs = { mu: 'mu' }),
      'graphs.encoder.outputs: expected an object mapping the contract\'s outputs "mu", "logvar" to the graph\'s output names; found keys "mu"; missing "logvar"'],
    ['unknown contract name', (m) => (m.graphs.encoder.inputs.c = 'c'),
      'graphs.encoder.inputs.c: expected only contract names "x" (condition is null: the model is unconditional); found the unknown name "c"'],
    ['two contract names, one graph name', (m) => (m.graphs.encoder.outputs.logvar = 'mu'),
      'graphs.encoder.outputs.logvar: expected a graph name different from outputs.mu\'s; found "mu"'],
    ['graph name type', (m) => (m.graphs.decoder.inputs.z = 3), 'graphs.decoder.inputs.z: expected the graph\'s input name (a non-empty string); found 3'],
    ['onnx', (m) => (m.onnx.opset = 17.5), 'onnx.opset: expected the graphs’ default-domain opset (a positive integer); found 17.5'],
    ['precision', (m) => (m.precision = 'int8'), 'precision: expected one of "fp32", "fp16"; found "int8"'],
    ['training record', (m) => (m.training.epochs = 'twenty'), 'training.epochs: expected an integer ≥ 0; found "twenty"'],
    ['training metric', (m) => (m.training.metrics.testKl = 'n/a'), 'training.metrics.testKl: expected a finite number or null; found "n/a"'],
    ['verification', (m) => (m.verification.samples = -64), 'verification.samples: expected an integer ≥ 0; found -64'],
  ];

  it.each(cases)('%s', (_name, edit, problem) => {
    const error = rejection(edited(edit));
    expect(error.message).toBe(`invalid vaekit.json: 1 problem\n  - ${problem}`);
  });

  it('names the gaussian-learned decoder output that is missing', () => {
    expect(problemLines(edited((m) => {
      m.likelihood = { kind: 'gaussian-learned' };
      m.graphs.decoder.outputs = { mean: 'mean' };
    }))).toEqual([
      'graphs.decoder.outputs: expected an object mapping the contract\'s outputs "mean", "logvar_x" to the graph\'s output names; found keys "mean"; missing "logvar_x"',
    ]);
  });

  it('refuses a bernoulli decoder map under a gaussian-learned likelihood: logvar_x missing, logits unknown', () => {
    expect(problemLines(edited((m) => (m.likelihood = { kind: 'gaussian-learned' })))).toEqual([
      'graphs.decoder.outputs: expected an object mapping the contract\'s outputs "mean", "logvar_x" to the graph\'s output names; found keys "logits", "mean"; missing "logvar_x"',
      'graphs.decoder.outputs.logits: expected only contract names "mean", "logvar_x"; found the unknown name "logits"',
    ]);
  });

  it('requires the condition input c of a conditional model in both graphs', () => {
    const lines = problemLines(edited((m) => (m.condition = { classes: 2, labels: ['a', 'b'] })));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^graphs\.encoder\.inputs: expected .*"x", "c".*; found keys "x"; missing "c"$/);
    expect(lines[1]).toMatch(/^graphs\.decoder\.inputs: expected .*"z", "c".*; found keys "z"; missing "c"$/);
  });

  it('allows a bernoulli decoder without logits (a PyTorch model may output only the sigmoid mean)', () => {
    expect(parseManifest(edited((m) => delete m.graphs.decoder.outputs.logits)).graphs.decoder.outputs).toEqual({ mean: 'mean' });
  });

  it('allows a bernoulli decoder without mean (BCEWithLogitsLoss models output only logits)', () => {
    expect(parseManifest(edited((m) => delete m.graphs.decoder.outputs.mean)).graphs.decoder.outputs).toEqual({ logits: 'logits' });
  });

  it('says a bernoulli decoder needs mean or logits when its map has neither', () => {
    expect(problemLines(edited((m) => (m.graphs.decoder.outputs = { logvar_x: 'logvar_x' })))).toEqual([
      'graphs.decoder.outputs: expected an object mapping the contract\'s outputs "mean" or "logits" (or both) to the graph\'s output names; found keys "logvar_x" (no "mean", no "logits")',
      'graphs.decoder.outputs.logvar_x: expected only contract names "mean", "logits"; found the unknown name "logvar_x"',
    ]);
  });

  it('accepts a chw image input: [channels, height, width]', () => {
    const m = parseManifest(edited((j) => {
      j.input.layout = 'chw';
      j.input.shape = [1, 28, 28];
    }));
    expect(m.input).toMatchObject({ layout: 'chw', shape: [1, 28, 28] });
  });
});

describe('parseManifest: several problems', () => {
  it('reports every problem of a hand-written manifest in one error', () => {
    const broken = edited((m) => {
      delete m.name;
      m.input.range = [0];
      m.condition = { classes: 3, labels: ['a', 'b'] };
      m.graphs.encoder.sha256 = 'not-a-hash';
      m.graphs.decoder.outputs = {};
      m.onnx = null;
    }, PYTORCH_TEXT);
    const error = rejection(broken);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('invalid vaekit.json: 8 problems');
    expect(lines.slice(1).map((l) => l.replace(/^ {2}- /, '').split(':')[0])).toEqual([
      'name',
      'input.range',
      'condition.labels',
      'graphs.encoder.sha256',
      'graphs.encoder.inputs',
      'graphs.decoder.inputs',
      'graphs.decoder.outputs',
      'onnx',
    ]);
    // The same list, structured, for tools that show problems one by one.
    const problems = manifestProblems(broken);
    expect(problems.map((p) => p.path)).toEqual(lines.slice(1).map((l) => l.replace(/^ {2}- /, '').split(':')[0]));
    expect(problems[0]).toEqual({ path: 'name', expected: 'a non-empty string (the model’s name)', found: 'nothing (the field is missing)' });
    expect(formatProblems(problems)).toBe(lines.slice(1).join('\n'));
  });

  it('names only the first few bad elements of a long array', () => {
    const lines = problemLines(edited((m) => (m.input.scaling = { kind: 'min-max', min: new Array(784).fill('0'), max: new Array(784).fill(1) })));
    expect(lines).toEqual([
      'input.scaling.min[0]: expected a finite number; found "0"',
      'input.scaling.min[1]: expected a finite number; found "0"',
      'input.scaling.min[2]: expected a finite number; found "0"',
      'input.scaling.min: expected a finite number in every element; found 781 more bad elements',
    ]);
  });
});

describe('parseManifest: the calibration record', () => {
  const record = () => ({
    data: 'mnist test split (997 rows)', count: 997, k: 1000, seed: 0,
    quantiles: { p: [0, 0.5, 1], negElbo: [50, 100, 300], nll: [45, 95, 280], negElboComplexity: [-900, -700, -100], nllComplexity: [-910, -705, -120] },
    compressor: 'png-deflate9/fflate-0.8.3',
  });
  const withCalibration = (edit: (c: Json) => void) => edited((m) => {
    m.calibration = record();
    edit(m.calibration);
  });

  it('keeps a valid record (complexity arrays optional) and a manifest without one', () => {
    expect(parseManifest(withCalibration(() => {})).calibration).toEqual(record());
    const plain = withCalibration((c) => { delete c.quantiles.negElboComplexity; delete c.quantiles.nllComplexity; delete c.compressor; });
    expect(parseManifest(plain).calibration!.quantiles).toEqual({ p: [0, 0.5, 1], negElbo: [50, 100, 300], nll: [45, 95, 280] });
    expect(parseManifest(edited((m) => delete m.calibration))).not.toHaveProperty('calibration');
    expect(parseManifest(edited((m) => (m.calibration = null)))).not.toHaveProperty('calibration');
  });

  it('refuses arrays of different lengths', () => {
    expect(problemLines(withCalibration((c) => c.quantiles.nll.pop()))).toEqual(['calibration.quantiles.nll: expected as many quantiles as p has probabilities (3); found 2']);
  });

  it('refuses a grid that does not rise from 0 to 1', () => {
    expect(problemLines(withCalibration((c) => (c.quantiles.p = [0.1, 0.5, 1])))).toEqual(['calibration.quantiles.p[0]: expected 0 (the grid starts at probability 0); found 0.1']);
    expect(problemLines(withCalibration((c) => (c.quantiles.p = [0, 0.5, 0.9])))).toEqual(['calibration.quantiles.p[2]: expected 1 (the grid ends at probability 1); found 0.9']);
    expect(problemLines(withCalibration((c) => (c.quantiles.p = [0, 0.6, 0.5, 1]) && c.quantiles.negElbo.push(400) && c.quantiles.nll.push(400) && c.quantiles.negElboComplexity.push(0) && c.quantiles.nllComplexity.push(0)))).toEqual([
      'calibration.quantiles.p[2]: expected a probability above the previous one (0.6); found 0.5',
    ]);
  });

  it('refuses decreasing quantiles and non-finite values', () => {
    expect(problemLines(withCalibration((c) => (c.quantiles.negElbo = [50, 40, 300])))).toEqual(['calibration.quantiles.negElbo[1]: expected a non-decreasing quantile curve (at least 50); found 40']);
    expect(problemLines(withCalibration((c) => (c.quantiles.nll[2] = null)))).toEqual(['calibration.quantiles.nll[2]: expected a finite number; found null']);
    expect(problemLines(withCalibration((c) => (c.quantiles.nllComplexity[0] = '1')))).toEqual(['calibration.quantiles.nllComplexity[0]: expected a finite number; found "1"']);
  });

  it('refuses missing fields, and complexity arrays without their compressor', () => {
    expect(problemLines(withCalibration((c) => { delete c.k; c.count = 0; delete c.quantiles.nll; }))).toEqual([
      'calibration.count: expected an integer ≥ 1 (reference rows); found 0',
      'calibration.k: expected a positive integer (importance samples of the nll score); found nothing (the field is missing)',
      'calibration.quantiles.nll: expected an array of 3 finite numbers (quantiles of nll, nats); found nothing (the field is missing)',
    ]);
    expect(problemLines(withCalibration((c) => delete c.compressor))).toEqual([
      'calibration.compressor: expected the compressor of the negElboComplexity and nllComplexity quantiles; found nothing (the field is missing)',
    ]);
    expect(problemLines(edited((m) => (m.calibration = [1, 2])))).toEqual(['calibration: expected null, nothing, or {data, count, k, seed, quantiles}; found [1,2]']);
  });
});
