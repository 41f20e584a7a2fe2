/**
 * Where a network starts before the COVID-19 task: chapter 2's ChestX-ray14-trained backbones
 * (named by their gate), ImageNet only, no pretraining, and the equal-compute control — ImageNet
 * weights that received as many ChestX-ray14 updates as the pretrained backbone, on shuffled
 * labels, so the images and the compute are the same and only the labels' information differs.
 * @module
 */
import type { Profile } from "../config.ts";
import type { ModelName } from "../data/normalise.ts";
import type { Initialisation } from "../models/build.ts";
import { nihBackbone, shuffledBackbone } from "./backbones.ts";
import { PRETRAINED_NAME } from "./gate.ts";

/** Display names of the architectures. */
export const ARCH_NAMES: Readonly<Record<ModelName, string>> = {
  densenet121: "DenseNet121",
  resnet50: "ResNet50",
};

/** The keys of the starting points. */
export type StartKey = "nih" | "imagenet" | "scratch" | "shuffled";

/** Where a network starts before the COVID-19 task. */
export interface StartingPoint {
  readonly key: StartKey;
  /** How results name it (for `nih`: the gate's name, honest when the gate failed). */
  readonly name: (arch: ModelName) => string;
  readonly init: (arch: ModelName) => Initialisation;
  /** Whether this start exists for an architecture (the control is trained for DenseNet121). */
  readonly has: (arch: ModelName) => boolean;
  /** Why comparisons resting on this start are not testable, per architecture. */
  readonly notTestable: (arch: ModelName) => string | undefined;
}

/** The name of the equal-compute control start. */
export const SHUFFLED_NAME = "ImageNet + shuffled ChestX-ray14";

/**
 * The starting points, for the architectures given: ChestX-ray14-pretrained (chapter 2's
 * backbones, with their gates), ImageNet only, not pretrained, and — where chapter 2 trained it
 * — the equal-compute control.
 */
export async function startingPoints(
  archs: readonly ModelName[],
  profile: Profile,
): Promise<StartingPoint[]> {
  const backbones = new Map(
    await Promise.all(archs.map(async (a) => [a, await nihBackbone(a, profile)] as const)),
  );
  const controls = new Map(
    (await Promise.all(archs.map(async (a) => [a, await shuffledBackbone(a, profile)] as const)))
      .filter(([, b]) => b !== undefined),
  );
  const nih = (arch: ModelName) => {
    const b = backbones.get(arch);
    if (!b) throw new Error(`no ChestX-ray14 backbone loaded for ${arch}`);
    return b;
  };
  const always = () => true;
  const none = () => undefined;
  return [
    {
      key: "nih",
      name: (arch) =>
        nih(arch).gate.passed
          ? PRETRAINED_NAME
          : `ImageNet + ${nih(arch).gate.updates} ChestX-ray14 updates (no measurable learning)`,
      init: (arch) => ({ from: nih(arch).dir }),
      has: always,
      notTestable: (arch) =>
        nih(arch).gate.passed
          ? undefined
          : `the ChestX-ray14 backbone did not learn measurably (${nih(arch).gate.reason})`,
    },
    {
      key: "imagenet",
      name: () => "ImageNet only",
      init: () => "imagenet",
      has: always,
      notTestable: none,
    },
    {
      key: "scratch",
      name: () => "not pretrained",
      init: () => "scratch",
      has: always,
      notTestable: none,
    },
    {
      key: "shuffled",
      name: () => SHUFFLED_NAME,
      init: (arch) => {
        const c = controls.get(arch);
        if (!c) throw new Error(`chapter 2 trained no equal-compute control for ${arch}`);
        return { from: c.dir };
      },
      has: (arch) => controls.has(arch),
      notTestable: none,
    },
  ];
}
