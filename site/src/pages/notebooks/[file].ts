import { readFileSync } from "node:fs";
import { loadChapters } from "../../render/chapters.ts";

// Each executed notebook is published as a download next to its chapter.
export async function getStaticPaths() {
  const chapters = await loadChapters();
  return chapters.map((c) => ({ params: { file: c.file }, props: { path: c.path } }));
}

export function GET({ props }: { props: { path: string } }) {
  return new Response(readFileSync(props.path), {
    headers: { "content-type": "application/x-ipynb+json" },
  });
}
