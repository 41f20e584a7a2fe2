/**
 * Looking inside a classifier: class activation maps and Grad-CAM, the share of a map on the
 * lungs, and overlays for people.
 * @module
 */
export { classActivationMaps, upsampleMaps } from "./cam.ts";
export { gradCam } from "./gradcam.ts";
export { lungMask, lungShare } from "./lungs.ts";
export { camGalleryHtml, type CamTile, overlayPng } from "./overlay.ts";
export { blendHeatmap, colour, type ColourMap } from "./colour.ts";
export { camsOf, lungSharesOf, maskOutline, modelInput } from "./apply.ts";
export { dilateMask, dilationAt, type Keep, occlude } from "./occlude.ts";
