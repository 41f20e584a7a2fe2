/**
 * What every chapter's report shares: numbers as the chapters print them, the verdict table,
 * cross-validated arms shown alike, the closing summary ("what we found / what we cannot say")
 * and the front page's headline. Each chapter's own tables are in `chapters/`.
 * @module
 */
export { fmtCi, fmtDiff, fmtP } from "../format.ts";
export { type ChapterSummary, closeChapter } from "./summary.ts";
export { showVerdicts } from "./verdict_table.ts";
export { showCvArms, showTransferRocs } from "./cv_arms.ts";
export { headlineFigure, type HeadlineRow, headlineRows, type OurHeadline } from "./headline.ts";
