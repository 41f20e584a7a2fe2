import { defineConfig } from "astro/config";
import process from "node:process";

// The base path is a setting so the report can be hosted under a sub-path (a project page).
const base = process.env.XRAY_SITE_BASE || "/";

export default defineConfig({
  base,
  site: process.env.XRAY_SITE_URL || undefined,
  outDir: process.env.XRAY_SITE_OUT || "./dist",
  trailingSlash: "ignore",
  build: { format: "directory", inlineStylesheets: "always" },
  devToolbar: { enabled: false },
  // Astro's HTML compression drops the line break between an inline element and the text
  // after it ("metadata.csv</code>\n(CC" became "metadata.csv(CC"); whitespace is kept as written
  compressHTML: false,
});
