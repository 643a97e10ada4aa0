// `npm run teams:icons`: draws the Teams app icons (manifests/teams-app/color.png and outline.png) from code, so
// they need no image tool and the same code always gives the same bytes. The glyph is a clock (a session's TTL):
// white on the accent colour for the 192 x 192 colour icon, white on transparent for the 32 x 32 outline icon.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodePng } from './png.js';

/** The colour icon's background, also the manifest's `accentColor`. */
export const ACCENT_COLOR = '#3949AB';

type Point = readonly [number, number];

/** Distance from `p` to the segment `a`-`b`. */
function toSegment(p: Point, a: Point, b: Point): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Whether the point (in units of the glyph's box, 0..1) is on the clock: its ring, its two hands, its hub. */
function onClock(p: Point, stroke: number): boolean {
  const centre: Point = [0.5, 0.5];
  const ring = Math.abs(Math.hypot(p[0] - 0.5, p[1] - 0.5) - (0.5 - stroke / 2)) <= stroke / 2;
  const hour = toSegment(p, centre, [0.5, 0.22]) <= stroke / 2;
  const minute = toSegment(p, centre, [0.72, 0.62]) <= stroke / 2;
  return ring || hour || minute || Math.hypot(p[0] - 0.5, p[1] - 0.5) <= stroke * 0.8;
}

/**
 * The clock glyph on a `size` x `size` canvas, inside a margin of `margin` (a share of the size), as RGBA:
 * white with 4 x 4 supersampled coverage as alpha, over `background` (opaque) when given.
 */
export function drawIcon(size: number, o: { margin: number; stroke: number; background?: string }): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const bg = o.background ? [1, 3, 5].map((i) => parseInt(o.background!.slice(i, i + 2), 16)) : undefined;
  const box = size * (1 - 2 * o.margin);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const p: Point = [(x + (sx + 0.5) / 4 - size * o.margin) / box, (y + (sy + 0.5) / 4 - size * o.margin) / box];
          if (onClock(p, o.stroke)) hits++;
        }
      const cover = hits / 16;
      const at = (y * size + x) * 4;
      if (bg) rgba.set([...bg.map((c) => Math.round(c + (255 - c) * cover)), 255], at);
      else rgba.set([255, 255, 255, Math.round(255 * cover)], at);
    }
  }
  return rgba;
}

/** The two icons the manifest names, as PNG files. */
export function teamsIcons(): { 'color.png': Buffer; 'outline.png': Buffer } {
  return {
    'color.png': encodePng(192, 192, drawIcon(192, { margin: 0.2, stroke: 0.11, background: ACCENT_COLOR })),
    'outline.png': encodePng(32, 32, drawIcon(32, { margin: 0.06, stroke: 0.13 })),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = fileURLToPath(new URL('../../manifests/teams-app/', import.meta.url));
  for (const [name, png] of Object.entries(teamsIcons())) {
    writeFileSync(join(dir, name), png);
    console.log(`wrote ${join('manifests/teams-app', name)} (${png.length} bytes)`);
  }
}
