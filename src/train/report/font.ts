import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as ResvgModule from '@resvg/resvg-js';
import { VaekitError } from '../../errors.js';
import { RESVG_PEERS, assertPeers } from '../../optional-peers.js';

/** The font family every report picture uses for its text. */
export const REPORT_FONT_FAMILY = 'DejaVu Sans';

/**
 * Folders where operating systems' DejaVu packages put `DejaVuSans.ttf`: Debian/Ubuntu
 * (`fonts-dejavu-core`), Fedora, Arch, Alpine, and per-user/macOS font folders.
 */
export const DEJAVU_FONT_DIRS: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/TTF',
  '/usr/share/fonts/dejavu',
  '/usr/local/share/fonts',
  '/Library/Fonts',
  join(homedir(), 'Library', 'Fonts'),
  join(homedir(), '.local', 'share', 'fonts'),
];

/** The font files a report picture is rendered with: the regular face and, if found, the bold one. */
export interface ReportFont {
  regular: string;
  bold?: string;
}

/**
 * Finds DejaVu Sans on this machine. Text is rendered with this one font only (never "whatever
 * the system has"), so pictures look the same on every machine.
 *
 * @param fontFile - a TTF/OTF file to use instead of searching; it must exist.
 * @param dirs - folders to search for `DejaVuSans.ttf` (and `DejaVuSans-Bold.ttf`).
 * @throws VaekitError `backend-unavailable` naming `apt-get install fonts-dejavu-core` when the
 *   font is in none of `dirs`; `invalid-argument` when `fontFile` does not exist.
 *
 * @example
 * ```ts
 * const font = findReportFont(); // { regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', bold: ... }
 * ```
 */
export function findReportFont(fontFile?: string, dirs: readonly string[] = DEJAVU_FONT_DIRS): ReportFont {
  if (fontFile !== undefined) {
    if (!existsSync(fontFile)) {
      throw new VaekitError('invalid-argument', `fontFile: expected an existing font file, found ${JSON.stringify(fontFile)} (no such file)`);
    }
    return { regular: fontFile };
  }
  for (const dir of dirs) {
    const regular = join(dir, 'DejaVuSans.ttf');
    if (!existsSync(regular)) continue;
    const bold = join(dir, 'DejaVuSans-Bold.ttf');
    return existsSync(bold) ? { regular, bold } : { regular };
  }
  throw new VaekitError(
    'backend-unavailable',
    `report pictures need the font DejaVu Sans (DejaVuSans.ttf) and it is in none of: ${dirs.join(', ')}. ` +
      'On Debian/Ubuntu install it with `apt-get install fonts-dejavu-core` ' +
      '(Fedora: dejavu-sans-fonts, Alpine: font-dejavu, Arch: ttf-dejavu), or pass options.fontFile.',
  );
}

/** Renders an SVG document with the report font only; returns the rendered image. */
export function renderSvg(svg: string, font: ReportFont) {
  // Loaded on first use: image grids without captions (`vaekit sample`, …) run without resvg.
  assertPeers('pictures with text', RESVG_PEERS);
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof ResvgModule;
  const fontFiles = font.bold === undefined ? [font.regular] : [font.regular, font.bold];
  return new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: REPORT_FONT_FAMILY, sansSerifFamily: REPORT_FONT_FAMILY },
    shapeRendering: 2,
    textRendering: 1,
  }).render();
}

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
