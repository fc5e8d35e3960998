import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLocales } from './i18n-check.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const en = { 'a.title': 'Projects', 'a.count': '{count} projects', 'a.cpu': 'CPU' };

describe('checkLocales', () => {
  it('accepts complete translations, and allowlisted identical values', () => {
    const vi = { 'a.title': 'Dự án', 'a.count': '{count} dự án', 'a.cpu': 'CPU' };
    expect(checkLocales({ en, vi }, { allowIdentical: ['CPU'] })).toEqual([]);
  });

  it('reports a missing key', () => {
    const vi = { 'a.title': 'Dự án', 'a.cpu': 'CPU' };
    expect(checkLocales({ en, vi }, { allowIdentical: ['CPU'] })).toEqual(['vi: missing key a.count']);
  });

  it('reports an extra key', () => {
    const zh = { 'a.title': '项目', 'a.count': '{count} 个项目', 'a.cpu': 'CPU', 'a.old': '旧' };
    expect(checkLocales({ en, zh }, { allowIdentical: ['CPU'] })).toEqual(['zh: extra key a.old (not in en)']);
  });

  it('reports a value copied from English unless allowlisted', () => {
    const zh = { 'a.title': 'Projects', 'a.count': '{count} 个项目', 'a.cpu': 'CPU' };
    const problems = checkLocales({ en, zh }, { allowIdentical: [] });
    expect(problems).toContain('zh: a.title is not translated (same as en: "Projects")');
    expect(problems).toContain('zh: a.cpu is not translated (same as en: "CPU")');
  });

  it('reports empty values and changed placeholders', () => {
    const vi = { 'a.title': ' ', 'a.count': '{n} dự án', 'a.cpu': 'CPU' };
    expect(checkLocales({ en, vi }, { allowIdentical: ['CPU'] })).toEqual([
      'vi: a.title is empty',
      'vi: a.count has placeholders {n}, en has {count}',
    ]);
  });

  it('passes on the console\'s own locale files', () => {
    const load = (n) => JSON.parse(readFileSync(join(here, `../src/i18n/locales/${n}.json`), 'utf8'));
    const allow = JSON.parse(readFileSync(join(here, '../src/i18n/identical-allowlist.json'), 'utf8'));
    expect(checkLocales({ en: load('en'), vi: load('vi'), zh: load('zh') }, { allowIdentical: allow })).toEqual([]);
  });
});
