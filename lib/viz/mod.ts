/**
 * Showing results in a notebook (and as text in a terminal): tables, Observable Plot figures
 * rendered to SVG, image grids, ROC curves, and the report's headline figures.
 * @module
 */
export { show, showHtml, showMarkdown, showPng, showSvg } from "../display/mod.ts";
export { showTable, tableHtml } from "./html_table.ts";
export { NARROW_WIDTH, Plot, plotToString, responsivePlot, showPlot } from "./plot.ts";
export { imageGridHtml, sampleGalleryHtml } from "./images.ts";
export { showRocs } from "./roc.ts";
export {
  barPlots,
  DISTINCT_COLOURS,
  distributionPlots,
  epochTicks,
  type FigureLayouts,
  findingAucPlots,
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
