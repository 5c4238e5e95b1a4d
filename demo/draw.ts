/** The drawing pad: pointer strokes, white on black, and their MNIST-style 28×28 version. */
import { context2d } from './render.js';

export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private inked = false;

  /** `onStroke` runs when a stroke ends (pointer up). */
  constructor(readonly canvas: HTMLCanvasElement, onStroke: () => void) {
    this.ctx = context2d(canvas);
    this.clear();
    canvas.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      this.last = this.point(event);
      this.line(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!this.last) return;
      const p = this.point(event);
      this.line(this.last, p);
      this.last = p;
    });
    const end = (event: PointerEvent) => {
      if (!this.last) return;
      this.last = null;
      if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
      onStroke();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** True when something has been drawn since the last clear. */
  get isEmpty(): boolean {
    return !this.inked;
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  private point(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: ((event.clientX - box.left) / box.width) * this.canvas.width, y: ((event.clientY - box.top) / box.height) * this.canvas.height };
  }

  private line(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.canvas.width / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    this.inked = true;
  }

  /**
   * The drawing as MNIST digits are prepared: its bounding box scaled to fit 20×20 pixels and its
   * centre of mass placed at the centre of a 28×28 canvas (`target`), whose ImageData is returned.
   */
  toMnist(target: HTMLCanvasElement): ImageData {
    const out = context2d(target);
    out.fillStyle = '#000';
    out.fillRect(0, 0, target.width, target.height);
    const { width, height } = this.canvas;
    const pixels = this.ctx.getImageData(0, 0, width, height).data;
    let minX = width, minY = height, maxX = -1, maxY = -1, mass = 0, sumX = 0, sumY = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = pixels[(y * width + x) * 4]!;
        if (v === 0) continue;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        mass += v;
        sumX += v * (x + 0.5);
        sumY += v * (y + 0.5);
      }
    }
    if (mass > 0) {
      const w = maxX - minX + 1;
      const h = maxY - minY + 1;
      const s = (target.width * (20 / 28)) / Math.max(w, h);
      const comX = sumX / mass - minX;
      const comY = sumY / mass - minY;
      out.imageSmoothingEnabled = true;
      out.imageSmoothingQuality = 'high';
      out.drawImage(this.canvas, minX, minY, w, h, target.width / 2 - comX * s, target.height / 2 - comY * s, w * s, h * s);
    }
    return out.getImageData(0, 0, target.width, target.height);
  }
}
