import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../test/render';
import { SessionProvider, useSession } from './session';

function Who() {
  const { session, identity, ended } = useSession();
  return <div>{session ? `${session.user} [${identity?.groups.join(',') ?? '…'}]` : `signed out (${ended})`}</div>;
}

describe('session check at start (GET /api/v1/whoami)', () => {
  const session = { user: 'dev', expiresAtMs: Date.now() + 3600_000 };

  it('confirms the session and learns the groups', async () => {
    const { api, calls } = fakeApi((_m, url) => (url === '/api/v1/whoami' ? { status: 200, body: { user: 'dev', groups: ['devs'], authMethod: 'session' } } : undefined));
    render(<SessionProvider api={api} initial={session}><Who /></SessionProvider>);
    expect(await screen.findByText('dev [devs]')).toBeTruthy();
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/whoami']);
  });

  it('ends a session the server no longer knows at once', async () => {
    const { api } = fakeApi(() => ({ status: 401, body: { kind: 'Status', message: 'session expired', reason: 'Unauthorized' } }));
    render(<SessionProvider api={api} initial={session}><Who /></SessionProvider>);
    expect(await screen.findByText('signed out (expired)')).toBeTruthy();
  });
});
