// Messages in English, Vietnamese and Chinese (locales/*.json, flat keys, "{name}" placeholders). English is
// in the initial bundle; the others load on demand. scripts/check-i18n.mjs keeps the three complete.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import en from './locales/en.json';

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
export type Locale = 'en' | 'vi' | 'zh';
export const locales: Locale[] = ['en', 'vi', 'zh'];
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const loaders: Record<Locale, () => Promise<Messages>> = {
  en: async () => en,
  vi: async () => (await import('./locales/vi.json')).default as Messages,
  zh: async () => (await import('./locales/zh.json')).default as Messages,
};

export function format(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function makeTranslate(messages: Partial<Messages>): Translate {
  return (key, vars) => format(messages[key] ?? en[key] ?? key, vars);
}

const storageKey = 'atrium.locale';

export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'vi' || saved === 'zh') return saved;
  } catch {
    // storage unavailable: fall through to the browser's language
  }
  const lang = (typeof navigator !== 'undefined' ? navigator.language : 'en').toLowerCase();
  if (lang.startsWith('vi')) return 'vi';
  if (lang.startsWith('zh')) return 'zh';
  return 'en';
}

interface I18nValue {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: Translate;
}

const I18nContext = createContext<I18nValue>({ locale: 'en', setLocale: () => {}, t: makeTranslate(en) });

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(fixed ?? initialLocale());
  const [messages, setMessages] = useState<Partial<Messages>>(en);

  useEffect(() => {
    let live = true;
    loaders[locale]().then(
      (m) => live && setMessages(m),
      () => live && setMessages(en),
    );
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : locale;
    return () => {
      live = false;
    };
  }, [locale]);

  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l);
    try {
      localStorage.setItem(storageKey, l);
    } catch {
      // not persisted; the choice still applies now
    }
  }, []);

  const value = useMemo(() => ({ locale, setLocale, t: makeTranslate(messages) }), [locale, setLocale, messages]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  return useContext(I18nContext);
}

export function useT(): Translate {
  return useContext(I18nContext).t;
}
