// Renders a component with the app's providers (fake API, English, a memory router).
import { render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { ApiClient } from '../api/client';
import type { StatusCause } from '../api/errors';
import { ConnectionMonitor } from '../api/connection';
import { AccessProvider } from '../access/context';
import type { AccessCache } from '../access/cache';
import { ApiContext } from '../app/context';
import { type Session, SessionProvider } from '../auth/session';
import { I18nProvider } from '../i18n';
import { ToastProvider } from '../ui/Toast';

export type FakeRoute = (method: string, url: string, body: unknown) => { status: number; body?: unknown } | undefined;

// An ApiClient whose fetch answers from `route` (404 Status when it returns nothing) and records calls.
export function fakeApi(route: FakeRoute) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url, body });
    const r = route(method, url, body) ?? { status: 404, body: { kind: 'Status', message: `no route ${url}`, reason: 'NotFound' } };
    return new Response(r.body === undefined ? '' : JSON.stringify(r.body), { status: r.status });
  };
  const api = new ApiClient({ fetch, connection: new ConnectionMonitor({ probe: async () => true }) });
  return { api, calls };
}

// A 422 Status answer: the object refused, with the causes that name its fields.
export const invalid = (message: string, causes: StatusCause[]) => ({
  status: 422,
  body: { kind: 'Status', status: 'Failure', message, reason: 'Invalid', code: 422, details: { causes } },
});

// The error a labelled control is marked with (tied to it by aria-describedby), or null when it is not invalid.
export function fieldError(label: string): string | null {
  const control = screen.getByLabelText(label);
  if (control.getAttribute('aria-invalid') !== 'true') return null;
  return document.getElementById(control.getAttribute('aria-describedby') ?? '')?.textContent ?? null;
}

// The text of the error banner a refused request shows (the Status message and the causes no field shows).
export const failureBanner = () => screen.getByText('The request failed').closest('[role="alert"]')?.textContent ?? '';

export function renderWith(
  ui: ReactNode,
  { api, path = '/', route = '*', session = null, access }: {
    api: ApiClient;
    path?: string;
    route?: string;
    session?: Session | null;
    access?: AccessCache;
  },
) {
  const content = session && access ? (
    <AccessProvider api={api} cache={access}>
      {ui}
    </AccessProvider>
  ) : (
    ui
  );
  return render(
    <ApiContext.Provider value={api}>
      <I18nProvider locale="en">
        <ToastProvider closeLabel="Close">
          <SessionProvider api={api} initial={session}>
            <MemoryRouter initialEntries={[path]}>
              <Routes>
                <Route path={route} element={content} />
                <Route path="*" element={<div>elsewhere</div>} />
              </Routes>
            </MemoryRouter>
          </SessionProvider>
        </ToastProvider>
      </I18nProvider>
    </ApiContext.Provider>,
  );
}
