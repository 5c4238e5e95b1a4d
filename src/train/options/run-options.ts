/** The options of `vaekit train` around the configuration: where the run goes and how it runs. */
import { TRAIN_BACKENDS } from '../backend/train-backends.js';
import { option, type OptionSpec } from './option-spec.js';
import { flag, oneOf, text } from './value-types.js';

export const RUN_OPTIONS = [
  option({ key: 'out', flag: '--out', placeholder: '<dir>', type: text, defaultHelp: 'runs/<data>-seed<seed>', help: 'run folder to write: missing, empty or a run folder vaekit wrote' }),
  option({ key: 'resume', flag: '--resume', placeholder: '<dir>', type: text, help: 'continue the run in <dir> from its last checkpoint (may be combined with --epochs, --workers, --backend, --no-export, --precision, --force)' }),
  option({ key: 'backend', flag: '--backend', placeholder: '<name>', type: oneOf(['auto', ...TRAIN_BACKENDS] as const), default: 'auto', help: 'TensorFlow.js backend (auto: tensorflow, else wasm, else cpu)' }),
  option({ key: 'force', flag: '--force', type: flag, help: "write into an --out folder (or its onnx/) holding files vaekit did not write: only vaekit's own entries are replaced, the others stay untouched" }),
  option({ key: 'export', flag: '--no-export', type: flag, help: 'skip exporting the trained model to ONNX (<out>/onnx) at the end' }),
  option({ key: 'precision', flag: '--precision', placeholder: '<p>', type: oneOf(['fp32', 'fp16'] as const), default: 'fp32', help: 'weight precision of the exported graphs' }),
] as const;

/** The spec of a run option by key. */
export function runOption(key: (typeof RUN_OPTIONS)[number]['key']): OptionSpec {
  return (RUN_OPTIONS as readonly OptionSpec[]).find((s) => s.key === key)!;
}

/** Options `--resume` may be combined with: the rest is the saved configuration's. */
export const RESUME_OPTIONS = ['resume', 'epochs', 'workers', 'backend', 'export', 'precision', 'force'] as const;
