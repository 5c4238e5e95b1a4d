/** Drawing decoded digits on canvases: exact nearest-neighbour upscaling, no smoothing. */

export interface TileLayout {
  /** Tiles per row. */
  cols: number;
  /** Screen pixels per model pixel. */
  scale: number;
  /** Pixels between tiles. */
  gap: number;
}

/** Canvas contexts the demo reads back often (the test does): keep them on the CPU. */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error(`canvas #${canvas.id} has no 2d context`);
  return ctx;
}

/** Sizes `canvas` for `count` tiles of `size`×`size` pixels in `layout`. */
export function sizeFor(canvas: HTMLCanvasElement, count: number, size: number, layout: TileLayout): void {
  const rows = Math.ceil(count / layout.cols);
  const cols = Math.min(count, layout.cols);
  const tile = size * layout.scale;
  const width = cols * tile + (cols - 1) * layout.gap;
  const height = rows * tile + (rows - 1) * layout.gap;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
}

const BACKGROUND = [0x1b, 0x1e, 0x24] as const;

/**
 * Draws `count` grayscale images (values in [0, 1], `size`×`size` each, one after another in
 * `pixels`) as white-on-black tiles, each model pixel a `scale`×`scale` block.
 */
export function drawTiles(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, count: number, size: number, layout: TileLayout): void {
  sizeFor(canvas, count, size, layout);
  const ctx = context2d(canvas);
  const image = ctx.createImageData(canvas.width, canvas.height);
  const out = image.data;
  for (let i = 0; i < out.length; i += 4) {
    out[i] = BACKGROUND[0];
    out[i + 1] = BACKGROUND[1];
    out[i + 2] = BACKGROUND[2];
    out[i + 3] = 255;
  }
  const step = size * layout.scale + layout.gap;
  for (let n = 0; n < count; n++) {
    const x0 = (n % layout.cols) * step;
    const y0 = Math.floor(n / layout.cols) * step;
    for (let y = 0; y < size * layout.scale; y++) {
      const row = Math.floor(y / layout.scale);
      let o = ((y0 + y) * canvas.width + x0) * 4;
      for (let x = 0; x < size * layout.scale; x++, o += 4) {
        const v = pixels[n * size * size + row * size + Math.floor(x / layout.scale)]!;
        const g = Math.round(Math.min(1, Math.max(0, v)) * 255);
        out[o] = g;
        out[o + 1] = g;
        out[o + 2] = g;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** Fills a canvas with the tile background (an empty result). */
export function clearCanvas(canvas: HTMLCanvasElement, color = '#000'): void {
  const ctx = context2d(canvas);
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}

/** Which tile (index) a click at client coordinates hit, or -1 in a gap / outside. */
export function tileAt(canvas: HTMLCanvasElement, event: MouseEvent, count: number, size: number, layout: TileLayout): number {
  const box = canvas.getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * canvas.width;
  const y = ((event.clientY - box.top) / box.height) * canvas.height;
  const step = size * layout.scale + layout.gap;
  const col = Math.floor(x / step);
  const row = Math.floor(y / step);
  if (x - col * step >= size * layout.scale || y - row * step >= size * layout.scale || col >= layout.cols) return -1;
  const index = row * layout.cols + col;
  return index >= 0 && index < count ? index : -1;
}
