/** Adam's constants for the VAE's weights: ε = 1e-8 as PyTorch's Adam (tfjs would use the backend's 1e-7). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
