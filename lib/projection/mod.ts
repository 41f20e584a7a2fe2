/** Maps of a latent space: the self-organising map, t-SNE and UMAP, and their quality. @module */
export { SelfOrganisingMap, type SomOptions } from "./som.ts";
export { type Embedding, tsne, umap } from "./embed.ts";
export { knnAccuracy, knnCorrect, standardise, trustworthiness } from "./quality.ts";
