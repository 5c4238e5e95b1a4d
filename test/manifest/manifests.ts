import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { parseManifest } from '../../src/manifest/index.js';

export const MNIST_FOLDER = fileURLToPath(new URL('../../models/mnist-mlp/', import.meta.url));
export const PYTORCH_FOLDER = fileURLToPath(new URL('../fixtures/pytorch-vae/', import.meta.url));
export const MNIST_TEXT = readFileSync(`${MNIST_FOLDER}vaekit.json`, 'utf8');
export const PYTORCH_TEXT = readFileSync(`${PYTORCH_FOLDER}vaekit.json`, 'utf8');

/** Loose JSON for editing manifests in tests. */
export type Json = Record<string, any>;

/** A fresh copy of the shipped mnist-mlp manifest (or the PyTorch one), edited by `edit`. */
export function edited(edit: (m: Json) => void, text = MNIST_TEXT): Json {
  const m = JSON.parse(text) as Json;
  edit(m);
  return m;
}

/** parseManifest's error for `json`, checked to be 'invalid-manifest'. */
export function rejection(json: unknown): VaekitError {
  try {
    parseManifest(json);
  } catch (e) {
    expect(e).toBeInstanceOf(VaekitError);
    expect((e as VaekitError).code).toBe('invalid-manifest');
    return e as VaekitError;
  }
  throw new Error('expected parseManifest to throw');
}

/** The problem lines (`  - path: expected …; found …`) of a rejection. */
export const problemLines = (json: unknown): string[] =>
  rejection(json).message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
