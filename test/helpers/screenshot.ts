// Screenshots that are checked, not only saved: the PNG puppeteer took is decoded by the page's
// own browser (an <img> drawn into a canvas) and read back as pixels, so that a blank, one-colour
// or wrongly sized capture fails the test. No image library is needed for it.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import type { Page } from "puppeteer-core";

/** What a screenshot's pixels show, as counted in the browser. */
export interface ShotStats {
  width: number;
  height: number;
  /** Distinct colours, counted on a grid of every 4th pixel (up to 4096). */
  colours: number;
  /** The share of sampled pixels that differ from the top-left pixel's colour (the background). */
  inked: number;
}

/**
 * Takes a screenshot of `page` into `path` and checks it: the viewport's size, more than a few
 * colours, and at least `minInk` of it not the background colour. Returns what it counted.
 */
export async function checkedShot(page: Page, path: string, minInk = 0.02): Promise<ShotStats> {
  const b64 = (await page.screenshot({ encoding: "base64" })) as string;
  writeFileSync(path, Buffer.from(b64, "base64"));
  const stats = await page.evaluate(async (data: string) => {
    const img = new Image();
    img.src = "data:image/png;base64," + data;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d")!;
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const bg = (px[0] << 16) | (px[1] << 8) | px[2];
    const seen = new Set<number>();
    let inked = 0;
    let n = 0;
    for (let y = 0; y < c.height; y += 4)
      for (let x = 0; x < c.width; x += 4) {
        const i = (y * c.width + x) * 4;
        const rgb = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
        if (seen.size < 4096) seen.add(rgb);
        if (rgb !== bg) inked++;
        n++;
      }
    return { width: c.width, height: c.height, colours: seen.size, inked: inked / n };
  }, b64);
  const view = page.viewport();
  if (view) assert.deepEqual([stats.width, stats.height], [view.width * (view.deviceScaleFactor ?? 1), view.height * (view.deviceScaleFactor ?? 1)], `${path}: the screenshot's size`);
  assert.ok(stats.colours >= 8, `${path}: only ${stats.colours} colours (a blank page?)`);
  assert.ok(stats.inked >= minInk, `${path}: ${(stats.inked * 100).toFixed(1)}% of it drawn (at least ${minInk * 100}% expected)`);
  return stats;
}
