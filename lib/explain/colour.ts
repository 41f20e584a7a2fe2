/**
 * Colour maps for heatmaps: jet, as in the study, and the perceptually uniform viridis, which
 * does not invent edges where the map is smooth. Plain TypeScript, so that the notebooks'
 * overlays and the report's in-browser page colour a class activation map the same way.
 * @module
 */

/** Colour maps. */
export type ColourMap = "jet" | "viridis";

// viridis at 9 evenly spaced stops (matplotlib's values), interpolated linearly
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** RGB (0–255) of value v ∈ [0, 1] under a colour map. */
export function colour(v: number, map: ColourMap): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  if (map === "jet") {
    const ch = (x: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - x))));
    return [ch(3), ch(2), ch(1)];
  }
  const pos = t * (VIRIDIS.length - 1), i = Math.min(Math.floor(pos), VIRIDIS.length - 2);
  const f = pos - i;
  return [0, 1, 2].map((k) => Math.round(VIRIDIS[i][k] * (1 - f) + VIRIDIS[i + 1][k] * f)) as [
    number,
    number,
    number,
  ];
}

/**
 * A heatmap (values in [0, 1]) blended over grey pixels at `opacity`, as RGB bytes:
 * (1 − opacity)·grey + opacity·colour, per channel. `outline` pixels are drawn white on top.
 */
export function blendHeatmap(
  grey: ArrayLike<number>,
  heat: ArrayLike<number>,
  options: { map?: ColourMap; opacity?: number; outline?: ArrayLike<number> } = {},
): Uint8Array {
  const a = options.opacity ?? 0.45, map = options.map ?? "jet";
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) {
    const c = colour(heat[i], map);
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.round((1 - a) * grey[i] + a * c[k]);
    if (options.outline?.[i]) rgb.fill(255, i * 3, i * 3 + 3);
  }
  return rgb;
}
