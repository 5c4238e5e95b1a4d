/**
 * The ε streams of the likelihood scores, shared by `vae.anomaly`, the calibration and `vaekit
 * score`: row i (global index) draws −ELBO's ε at offset i·J of stream ELBO_STREAM and the IWAE's
 * at offset i·k·J of stream IWAE_STREAM, so every way of scoring a row gives the same numbers.
 */
export const ELBO_STREAM = 0;
export const IWAE_STREAM = 1;
