/** Counting helpers for dataset tables and figures. @module */
import { imageInfo } from "./images.ts";

/** Count items by a key, largest first. */
export function countBy<T>(
  items: readonly T[],
  key: (item: T) => string,
): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([k, count]) => ({ key: k, count })).sort((a, b) =>
    b.count - a.count || a.key.localeCompare(b.key)
  );
}

/** Stored image sizes ("W×H") and how many files have each, read from headers only. */
export async function imageSizeCensus(
  paths: readonly string[],
): Promise<{ key: string; count: number }[]> {
  const sizes: string[] = [];
  for (const path of paths) {
    const info = await imageInfo(path);
    sizes.push(`${info.width}×${info.height}`);
  }
  return countBy(sizes, (s) => s);
}
