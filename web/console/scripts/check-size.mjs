// Fails (exit 1) when the initial JavaScript of the login or overview page exceeds the budget
// (issue #5: 300 KB gzipped). Reads dist/.vite/manifest.json from `vite build`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSize, initialChunks } from './size-check.mjs';

const BUDGET = 300 * 1000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const manifestPath = join(dist, '.vite/manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`size: ${manifestPath} is missing; run npm run build first`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const localeKeys = Object.keys(manifest).filter((k) => /i18n\/locales\/(vi|zh)\.json$/.test(k));
const largestLocale = localeKeys
  .map((k) => ({ k, size: gzipSize(dist, [manifest[k].file]) }))
  .sort((a, b) => b.size - a.size)[0];
const routes = { login: 'src/pages/Login.tsx', overview: 'src/pages/Overview.tsx' };
let failed = false;
for (const [route, page] of Object.entries(routes)) {
  const files = initialChunks(manifest, page, largestLocale ? [largestLocale.k] : []);
  const size = gzipSize(dist, files);
  const ok = size <= BUDGET;
  failed ||= !ok;
  console.log(
    `size: ${route}: ${(size / 1000).toFixed(1)} KB gzipped initial JS in ${files.length} files ` +
      `(budget ${BUDGET / 1000} KB) ${ok ? 'ok' : 'OVER BUDGET'}`,
  );
}
process.exit(failed ? 1 : 0);
