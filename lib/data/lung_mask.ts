/** A lung mask: what datasets that annotate lungs provide. @module */

/** A lung mask at one side (1 = lung), and where it came from. */
export interface LungMask {
  readonly side: number;
  readonly data: Uint8Array;
  /** The annotation it was made from (e.g. "v7labs", "lungVAE", "boxes"). */
  readonly source: string;
}
