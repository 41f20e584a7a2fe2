/** Links that respect the site's base path (a setting, for hosting under a sub-path). @module */

/** Prefix a site-relative path with the configured base (`import.meta.env.BASE_URL`). */
export function url(base: string, path = ""): string {
  const b = base.endsWith("/") ? base : `${base}/`;
  return b + path.replace(/^\//, "");
}
