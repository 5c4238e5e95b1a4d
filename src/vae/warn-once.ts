/**
 * A warning callback that passes each distinct message on once: the sessions of one `Vae.load`
 * meet the same device problem (e.g. no CUDA library), and the user should read it once.
 */
export function warnOnce(onWarning: (message: string) => void): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    onWarning(message);
  };
}
