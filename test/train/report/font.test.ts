import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../../src/errors.js';
import { findReportFont } from '../../../src/train/report/font.js';

describe('findReportFont', () => {
  it('finds DejaVu Sans on this machine', () => {
    expect(findReportFont().regular).toMatch(/DejaVuSans\.ttf$/);
  });

  it('says which package to install when the font is missing', () => {
    let error: unknown;
    try {
      findReportFont(undefined, ['/nonexistent-fonts']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('backend-unavailable');
    expect((error as VaekitError).message).toContain('apt-get install fonts-dejavu-core');
    expect((error as VaekitError).message).toContain('/nonexistent-fonts');
  });

  it('rejects a fontFile that does not exist', () => {
    expect(() => findReportFont('/nonexistent/font.ttf')).toThrow(/fontFile: expected an existing font file, found "\/nonexistent\/font.ttf"/);
  });
});
