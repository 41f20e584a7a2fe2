/**
 * Showing results in a notebook (and as text in a terminal): tables, Observable Plot figures
 * rendered to SVG, image grids, ROC curves, and the report's headline figures.
 * @module
 */
export { show, showHtml, showMarkdown, showPng, showSvg } from "./display.ts";
export { showTable, tableHtml } from "./table.ts";
export { Plot, plotToString, showPlot } from "./plot.ts";
export { imageGridHtml, sampleGalleryHtml } from "./images.ts";
export { showRocs } from "./roc.ts";
export {
  DISTINCT_COLOURS,
  showBars,
  showDistributions,
  showEmbedding,
  showFindingAucs,
  showForest,
  showSomMaps,
  showTrainingCurves,
} from "./figures.ts";
