/**
 * Do the report's intervals cover what they claim? Data are simulated with a known AUC and known
 * training noise — patients with one to four images, a patient effect shared by their images,
 * and "trained models" whose separation of the classes varies from run to run — then the
 * report's procedure runs on each simulated data set: patient K-fold cross-validation, an
 * interval per arm and per difference of arms. Over 1,000 data sets the 95% intervals must
 * cover the true value 93–97% of the time. Two intervals that leave something out (the normal
 * quantile for the t one; a patient bootstrap that treats the trained models as fixed) must
 * fail the same check, so the check can tell a right interval from a wrong one.
 */
import { assertTrue as assert } from "../assert.ts";
import { crossValidationFolds } from "../../lib/data/folds.ts";
import type { XrayRecord } from "../../lib/data/record.ts";
import {
  atLevel,
  bootstrapAuc,
  foldDifference,
  foldInterval,
  normalCdf,
  sharedTestInterval,
} from "../../lib/eval/mod.ts";
import { auc } from "../../lib/eval/roc.ts";
import { Rng } from "../../lib/rng.ts";

/** An image of the simulation: its patient's effect and its own noise. */
interface SimImage extends XrayRecord {
  readonly y: number;
  readonly patientEffect: number;
  readonly noise: number;
}

const SD_PATIENT = 0.8, SD_IMAGE = 0.6, SD_MODEL = 0.5;
// variance of (positive image − negative image) for one model, images of different patients
const TAU2 = 2 * (SD_PATIENT ** 2 + SD_IMAGE ** 2 + SD_MODEL ** 2);

/** The population AUC averaged over training noise: E Φ((μ + σZ)/τ) = Φ(μ/√(τ² + σ²)). */
function trueAuc(mu: number, sdTrain: number): number {
  return normalCdf(mu / Math.sqrt(TAU2 + sdTrain ** 2));
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12), v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Patients with 1–4 images; about 80% positive, as in the COVID-19 collection. */
function simulateImages(rng: Rng, patients: number): SimImage[] {
  const out: SimImage[] = [];
  for (let p = 0; p < patients; p++) {
    const y = rng.next() < 0.8 ? 1 : 0;
    const patientEffect = SD_PATIENT * gaussian(rng);
    const n = 1 + Math.min(3, Math.floor(-Math.log(Math.max(rng.next(), 1e-12)) * 0.8));
    for (let i = 0; i < n; i++) {
      out.push({
        source: "sim",
        imageId: `p${p}-${i}`,
        path: "",
        patientId: `p${p}`,
        view: "PA",
        findings: [],
        findingText: "",
        labels: [],
        y,
        patientEffect,
        noise: SD_IMAGE * gaussian(rng),
      });
    }
  }
  return out;
}

/** One trained model: its separation μ + training noise, its own per-image noise. */
function modelScores(rng: Rng, images: readonly SimImage[], mu: number, sdTrain: number) {
  const separation = mu + sdTrain * gaussian(rng);
  return images.map((im) =>
    separation * im.y + im.patientEffect + im.noise + SD_MODEL * gaussian(rng)
  );
}

/** The per-fold, per-repeat test AUCs of an arm on a simulated data set. */
function cvArm(
  rng: Rng,
  folds: ReturnType<typeof crossValidationFolds<SimImage>>,
  mu: number,
  sdTrain: number,
  repeats: number,
): number[][] {
  return folds.map((f) =>
    Array.from(
      { length: repeats },
      () => auc(modelScores(rng, f.test, mu, sdTrain), f.test.map((r) => r.y)),
    )
  );
}

function coverage(hits: boolean[]): number {
  return hits.filter(Boolean).length / hits.length;
}

function assertCovers(name: string, c: number): void {
  console.log(`${name}: coverage ${c.toFixed(3)}`);
  assert(c >= 0.93 && c <= 0.97, `${name}: 95% intervals covered the truth in ${c} of runs`);
}

const DATASETS = 1000;

for (const { repeats, sdTrain } of [{ repeats: 1, sdTrain: 0.35 }, { repeats: 3, sdTrain: 0.5 }]) {
  Deno.test(`fold intervals cover the true AUC and difference (5 folds × ${repeats} repeat(s))`, () => {
    const rng = new Rng(20 + repeats);
    const [muA, muB] = [1.2, 0.9];
    const [truthA, truthDiff] = [
      trueAuc(muA, sdTrain),
      trueAuc(muA, sdTrain) - trueAuc(muB, sdTrain),
    ];
    const armHits: boolean[] = [], diffHits: boolean[] = [], zHits: boolean[] = [];
    for (let d = 0; d < DATASETS; d++) {
      const images = simulateImages(rng, 300);
      const folds = crossValidationFolds(images, {
        k: 5,
        seed: d,
        stratum: (rs) => String(rs[0].y),
      });
      const a = cvArm(rng, folds, muA, sdTrain, repeats),
        b = cvArm(rng, folds, muB, sdTrain, repeats);
      const arm = foldInterval(a);
      armHits.push(arm.lo <= truthA && truthA <= arm.hi);
      const diff = foldDifference(a, b);
      diffHits.push(diff.lo <= truthDiff && truthDiff <= diff.hi);
      // the same spread with a normal quantile: too narrow on 4 degrees of freedom
      const z = atLevel({ ...arm, df: Infinity }, 0.95);
      zHits.push(z.lo <= truthA && truthA <= z.hi);
    }
    assertCovers("arm AUC", coverage(armHits));
    assertCovers("difference of arms", coverage(diffHits));
    assert(coverage(zHits) < 0.93, `a normal quantile should under-cover, got ${coverage(zHits)}`);
  });
}

Deno.test("a patient bootstrap of pooled scores misses training noise (negative control)", () => {
  const rng = new Rng(5);
  const sdTrain = 0.5, mu = 1.2, truth = trueAuc(mu, sdTrain);
  const hits: boolean[] = [];
  for (let d = 0; d < 120; d++) {
    const images = simulateImages(rng, 300);
    const folds = crossValidationFolds(images, { k: 5, seed: d, stratum: (rs) => String(rs[0].y) });
    const tested = folds.flatMap((f) => f.test);
    const scores = folds.flatMap((f) => modelScores(rng, f.test, mu, sdTrain));
    const ci = bootstrapAuc(scores, tested.map((r) => r.y), {
      groups: tested.map((r) => r.patientId),
      resamples: 200,
      seed: d,
    });
    hits.push(ci.lo <= truth && truth <= ci.hi);
  }
  assert(coverage(hits) < 0.9, `it should under-cover, got ${coverage(hits)}`);
});

Deno.test("one test set, several models: bootstrap + model spread covers the true AUC", () => {
  const rng = new Rng(9);
  const sdTrain = 0.4, mu = 1.0, truth = trueAuc(mu, sdTrain);
  const hits: boolean[] = [];
  for (let d = 0; d < 500; d++) {
    const images = simulateImages(rng, 80); // an external set: one hospital, ~130 images
    const scores = Array.from({ length: 5 }, () => modelScores(rng, images, mu, sdTrain));
    const e = sharedTestInterval(scores, images.map((r) => r.y), images.map((r) => r.patientId), {
      resamples: 150,
      seed: d,
    });
    hits.push(e.lo <= truth && truth <= e.hi);
  }
  assertCovers("shared test set", coverage(hits));
});
