/** Evaluation: ROC/AUC, confidence intervals, tests between models, per-class tables. @module */
export * from "./roc.ts";
export * from "./stats.ts";
export * from "./bootstrap.ts";
export * from "./delong.ts";
export * from "./per_class_auc.ts";
export * from "./multiple.ts";
export * from "./crossval.ts";
