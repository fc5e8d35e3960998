import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Link } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, renderWith } from '../test/render';
import { PageErrorBoundary } from './PageErrorBoundary';

function Broken(): never {
  throw new Error('Failed to fetch dynamically imported module: /assets/Resources-x.js');
}

describe('a page that fails to render', () => {
  it('shows what happened and a reload instead of a blank page, and the rest stays usable', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { api } = fakeApi(() => undefined);
    renderWith(
      <>
        <Link to="/elsewhere">Go elsewhere</Link>
        <PageErrorBoundary>
          <Broken />
        </PageErrorBoundary>
      </>,
      { api, path: '/broken', route: '/broken' },
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('This page could not be shown');
    expect(alert.textContent).toContain('Failed to fetch dynamically imported module');
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
    expect(quiet.mock.calls.some((c) => String(c[0]).startsWith('page failed:'))).toBe(true);
    await userEvent.click(screen.getByRole('link', { name: 'Go elsewhere' }));
    expect(screen.getByText('elsewhere')).toBeTruthy();
    quiet.mockRestore();
  });
});
