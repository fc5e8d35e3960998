// Fails (exit 1) when a locale file misses a key, has an extra one, or leaves English text untranslated.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLocales } from './i18n-check.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'src/i18n/locales');
const locales = {};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  locales[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(dir, file), 'utf8'));
}
const allowIdentical = JSON.parse(readFileSync(join(root, 'src/i18n/identical-allowlist.json'), 'utf8'));
const problems = checkLocales(locales, { reference: 'en', allowIdentical });
const names = Object.keys(locales).sort().join(', ');
if (problems.length) {
  for (const p of problems) console.error(`i18n: ${p}`);
  console.error(`i18n: ${problems.length} problem(s) in ${names}`);
  process.exit(1);
}
console.log(`i18n: ${Object.keys(locales.en).length} keys, complete in ${names}`);
