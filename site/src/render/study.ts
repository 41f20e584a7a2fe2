/**
 * The study's reported numbers and the front page's headline: one source, `lib/study.ts` and
 * `lib/report/headline.ts`, which the chapters use too.
 * @module
 */
export {
  hanleyMcNeilInterval,
  STUDY_DATA,
  STUDY_HEADLINES,
  studyCovidTestSet,
  type StudyHeadline,
} from "../../../lib/study.ts";
export { headlineFigure, headlineRows } from "../../../lib/report/headline.ts";
