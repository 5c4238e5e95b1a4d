/** Errors as the Open Inference Protocol writes them: `{"error": "<message>"}` with an HTTP status. */
import { VaekitError } from '../errors.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The status and message of any error a route throws: bad input is the client's (400), the rest is ours (500). */
export function httpErrorOf(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof VaekitError) {
    // The SDK refused the input (shape, range, count…); `disposed` only happens while shutting down.
    return error.code === 'disposed' ? new HttpError(503, error.message, { 'retry-after': '1' }) : new HttpError(400, `${error.code}: ${error.message}`);
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  // Fastify's own errors (body too large, bad JSON, schema validation) carry their status.
  if (typeof status === 'number' && status >= 400 && status < 600) return new HttpError(status, message);
  return new HttpError(500, message);
}
