// Light and dark themes are CSS variables (styles.css). "system" follows prefers-color-scheme; an explicit
// choice sets data-theme on <html> and is kept in localStorage.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type ThemeMode = 'system' | 'light' | 'dark';
const storageKey = 'atrium.theme';

export function savedTheme(): ThemeMode {
  try {
    const v = localStorage.getItem(storageKey);
    if (v === 'light' || v === 'dark') return v;
  } catch {
    // storage unavailable
  }
  return 'system';
}

export function applyTheme(mode: ThemeMode): void {
  const root = document.documentElement;
  if (mode === 'system') delete root.dataset.theme;
  else root.dataset.theme = mode;
}

const ThemeContext = createContext<{ mode: ThemeMode; setMode: (m: ThemeMode) => void }>({
  mode: 'system',
  setMode: () => {},
});

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [mode, setModeState] = useState<ThemeMode>(savedTheme);
  const setMode = useCallback((m: ThemeMode) => {
    setModeState(m);
    applyTheme(m);
    try {
      if (m === 'system') localStorage.removeItem(storageKey);
      else localStorage.setItem(storageKey, m);
    } catch {
      // not persisted
    }
  }, []);
  const value = useMemo(() => ({ mode, setMode }), [mode, setMode]);
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export function useTheme() {
  return useContext(ThemeContext);
}
