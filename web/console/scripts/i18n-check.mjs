// The rules scripts/check-i18n.mjs applies to the locale files, as a function the tests call too.
// Every locale has exactly English's keys, every value is a non-empty string with the same {placeholders},
// and a Vietnamese or Chinese value is not a copy of the English one unless it is on the allowlist (names
// that stay the same in every language: product names, CPU, YAML, ...).

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

export function checkLocales(locales, { reference = 'en', allowIdentical = [] } = {}) {
  const problems = [];
  const ref = locales[reference];
  if (!ref) return [`the reference locale ${reference} is missing`];
  const allowed = new Set(allowIdentical);
  for (const [name, messages] of Object.entries(locales)) {
    for (const key of Object.keys(ref)) {
      if (!(key in messages)) problems.push(`${name}: missing key ${key}`);
    }
    for (const [key, value] of Object.entries(messages)) {
      if (!(key in ref)) {
        problems.push(`${name}: extra key ${key} (not in ${reference})`);
        continue;
      }
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(`${name}: ${key} is empty`);
        continue;
      }
      if (placeholders(value) !== placeholders(ref[key])) {
        problems.push(`${name}: ${key} has placeholders {${placeholders(value)}}, ${reference} has {${placeholders(ref[key])}}`);
      }
      if (name !== reference && value === ref[key] && !allowed.has(value)) {
        problems.push(`${name}: ${key} is not translated (same as ${reference}: "${value}")`);
      }
    }
  }
  return problems;
}
