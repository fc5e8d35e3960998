import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { sharedApi } from './app/context';
import { applyTheme, savedTheme } from './ui/theme';
import './ui/styles.css';

applyTheme(savedTheme());

// A failure no page handled is logged once with context rather than as an unhandled rejection.
window.addEventListener('unhandledrejection', (e) => {
  console.warn('atrium console: unhandled failure', e.reason);
  e.preventDefault();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={sharedApi()} />
  </StrictMode>,
);
