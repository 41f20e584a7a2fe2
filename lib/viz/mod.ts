/**
 * Showing results in a notebook (and as text in a terminal): tables, Observable Plot figures
 * rendered to SVG, image grids, ROC curves, and the report's headline figures.
 * @module
 */
export { show, showHtml, showMarkdown, showSvg } from "../display/mod.ts";
export { showTable } from "./html_table.ts";
export { NARROW_WIDTH, Plot, plotToString, responsivePlot, showPlot } from "./plot.ts";
export { imageGridHtml, sampleGalleryHtml } from "./images.ts";
export { showRocs } from "./roc.ts";
export {
  DISTINCT_COLOURS,
  epochTicks,
  type FigureLayouts,
  forestPlots,
  showBars,
  showDistributions,
  showEmbedding,
  showFindingAucs,
  showForest,
  showSomMaps,
  showTrainingCurves,
  trainingCurvePlots,
} from "./figures.ts";
