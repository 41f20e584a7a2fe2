/**
 * The models: DenseNet121 and ResNet50 with Keras layer names (so ImageNet weights load by
 * name), the study's classifier head, saving and loading in the standard TF.js format, and the
 * model card beside every trained model.
 * @module
 */
export { HEAD_DENSE, HEAD_POOL } from "./backbone.ts";
export {
  createImagenetClassifier,
  createModel,
  featureModel,
  type Initialisation,
  type ModelSpec,
} from "./build.ts";
export { loadModel, saveModel } from "./io.ts";
export { imagenetClasses, imagenetWeights } from "../data/imagenet_weights.ts";
export {
  addCardNotes,
  type ModelCard,
  PREPROCESSING,
  readCard,
  trainedRecords,
  writeCard,
} from "./card.ts";
export {
  type Classification,
  type Classifier,
  classify,
  type ClassifySkip,
  loadClassifier,
  thresholds,
} from "./classify.ts";
