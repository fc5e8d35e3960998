// Initial JavaScript of a route from Vite's build manifest: the entry chunk and its static imports, the
// route's lazy page chunk and its static imports, and (to count the worst case) the largest locale chunk
// loaded at start for a Vietnamese or Chinese browser. Sizes are gzipped (level 9, what a server would send).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// The manifest keys of the chunk and everything it imports statically.
export function staticClosure(manifest, key, seen = new Set()) {
  if (seen.has(key)) return seen;
  const chunk = manifest[key];
  if (!chunk) throw new Error(`manifest has no entry ${key}`);
  seen.add(key);
  for (const imp of chunk.imports ?? []) staticClosure(manifest, imp, seen);
  return seen;
}

export function initialChunks(manifest, pageKey, extraKeys = []) {
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
  if (!entry) throw new Error('manifest has no entry chunk');
  const keys = staticClosure(manifest, entry);
  staticClosure(manifest, pageKey, keys);
  for (const k of extraKeys) staticClosure(manifest, k, keys);
  return [...keys].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
}

export function gzipSize(dist, files) {
  return files.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
}
