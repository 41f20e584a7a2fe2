/**
 * The datasets this project knows. Adding one: a file beside these that exports an
 * `XrayDataset`, and its line below.
 * @module
 */
import { covidDataset } from "./covid.ts";
import { nihDataset } from "./nih.ts";
import { registerDataset } from "./_registry.ts";

registerDataset(covidDataset);
registerDataset(nihDataset);

export { dataset, datasetDir, datasets, loadDataset, registerDataset } from "./_registry.ts";
export {
  COVID_COMMIT,
  COVID_KEY,
  COVID_REPOSITORY,
  type CovidDataset,
  covidDataset,
  covidLungMask,
  type CovidRecord,
  covidSplit,
  loadCovid,
} from "./covid.ts";
export {
  loadNih,
  NIH_KEY,
  type NihDataset,
  nihDataset,
  type NihOfficialSplit,
  type NihRecord,
  nihSplit,
} from "./nih.ts";
