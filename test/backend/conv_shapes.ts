/** Convolution shapes the backend kernel tests share: [batch, size, in, out, kernel, stride, padding]. */
export const CONV_SHAPES: [number, number, number, number, number, number, "same" | "valid"][] = [
  [2, 8, 16, 8, 1, 1, "valid"],
  [4, 24, 8, 6, 1, 1, "valid"], // 2304 pixels: the wasm filter gradient sums 3 chunks
  [2, 8, 16, 8, 1, 1, "same"],
  [2, 9, 8, 16, 1, 2, "valid"],
  [2, 8, 8, 16, 1, 2, "same"],
  [2, 8, 8, 4, 3, 1, "same"],
  [2, 9, 8, 4, 3, 1, "valid"],
  [2, 8, 6, 5, 3, 2, "same"],
  [2, 9, 6, 5, 3, 2, "valid"],
  [2, 7, 6, 5, 3, 2, "same"],
  [1, 16, 3, 8, 7, 2, "valid"],
  [1, 17, 3, 8, 7, 2, "same"],
  [3, 10, 4, 4, 7, 1, "same"],
];
