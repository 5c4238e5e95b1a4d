export {
  encodeImageGrid,
  encodeReconstructionGrid,
  imageGridSize,
  reconstructionGridSize,
  writeImageGrid,
  writeReconstructionGrid,
  LABEL_BAND,
  type GridColor,
  type ImageGridOptions,
  type ReconstructionGridOptions,
} from './image-grid.js';
export {
  encodeLossCurve,
  writeLossCurve,
  renderLossCurveSvg,
  niceTicks,
  LOSS_CURVE_COLORS,
  type LossCurveEpoch,
  type LossCurveOptions,
  type NiceTicks,
} from './loss-curve.js';
export {
  encodeLatentHistograms,
  writeLatentHistograms,
  renderLatentHistogramsSvg,
  LATENT_HISTOGRAM_COLORS,
  LATENT_HISTOGRAM_MAX_PANELS,
  type LatentHistogramsOptions,
} from './latent-histograms.js';
export { findReportFont, DEJAVU_FONT_DIRS, REPORT_FONT_FAMILY, type ReportFont } from './font.js';
