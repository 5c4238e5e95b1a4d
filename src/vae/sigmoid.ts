/**
 * mean = sigmoid(logits) for a bernoulli decoder that outputs only its logits (e.g. a PyTorch model
 * trained with BCEWithLogitsLoss). Float32 in and out; exp is only taken of −|ℓ|, so it never
 * overflows, and 1 − p is never formed, so tiny probabilities keep their precision.
 */
export function sigmoid(logits: Float32Array): Float32Array {
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i]!;
    if (l >= 0) out[i] = 1 / (1 + Math.exp(-l));
    else {
      const e = Math.exp(l);
      out[i] = e / (1 + e);
    }
  }
  return out;
}
