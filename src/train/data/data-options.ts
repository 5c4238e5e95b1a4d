/** How `loadDataset` reads a data set beyond its name; recorded in the run's config. */
export interface DataOptions {
  /** `idx`: the four IDX files (labels optional; .gz or raw). */
  trainImages?: string;
  trainLabels?: string;
  testImages?: string;
  testLabels?: string;
  /** `fashion-mnist`: the folder of its IDX files (default Debian's /usr/share/datasets/fashion-mnist); `png`: the image folder. */
  dir?: string;
  /** `csv`: the table. */
  file?: string;
  /** `csv`: feature columns (default: every numeric column but the label). */
  columns?: string[];
  /** `csv`: the label column. */
  label?: string;
  /** `csv`: feature scaling, fitted on the training split. */
  scaling?: 'min-max' | 'standardize' | 'none';
  /** `png`, `csv`: share of examples held out for test (seeded). */
  testFraction?: number;
}
