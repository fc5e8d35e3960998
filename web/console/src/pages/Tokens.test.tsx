import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, fieldError, invalid, renderWith } from '../test/render';
import { CreateTokenDialog, OwnPasswordDialog, validateOwnPassword } from './Tokens';

const session = { user: 'dev', expiresAtMs: Date.now() + 3600_000 };

describe('changing my password', () => {
  it('needs the current password and the new one twice', () => {
    expect(validateOwnPassword('', '', '')).toEqual({ currentPassword: 'validation.required', newPassword: 'validation.required' });
    expect(validateOwnPassword('old', 'new-one', 'other')).toEqual({ repeat: 'users.passwordMismatch' });
    expect(validateOwnPassword('old', 'new-one', 'new-one')).toEqual({});
  });

  it('sends both and shows the server saying the current one is wrong on its field', async () => {
    const f = fakeApi((m) =>
      m === 'POST'
        ? {
            status: 422,
            body: {
              kind: 'Status', status: 'Failure', code: 422, reason: 'Invalid', message: 'the current password is not right',
              details: { causes: [{ field: 'currentPassword', message: 'not your current password' }] },
            },
          }
        : undefined,
    );
    const onClose = vi.fn();
    renderWith(<OwnPasswordDialog onClose={onClose} />, { api: f.api, session });
    await userEvent.type(screen.getByLabelText('Current password'), 'Guess-1');
    await userEvent.type(screen.getByLabelText('New password'), 'Fresh-Password-99');
    await userEvent.type(screen.getByLabelText('New password again'), 'Fresh-Password-99');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByText('not your current password')).toBeTruthy());
    expect(f.calls.filter((c) => c.method === 'POST')[0]).toMatchObject({
      url: '/api/v1/password',
      body: { currentPassword: 'Guess-1', newPassword: 'Fresh-Password-99' },
    });
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe('creating a token', () => {
  it('sends the description and lifetime, and shows the server cause on its field', async () => {
    const f = fakeApi((m) => (m === 'POST' ? invalid('the token is invalid', [{ field: 'description', message: 'at most 200 characters' }]) : undefined));
    const onCreated = vi.fn();
    renderWith(<CreateTokenDialog onClose={() => {}} onCreated={onCreated} />, { api: f.api, session });
    await userEvent.type(screen.getByLabelText('Description'), 'ci');
    await userEvent.selectOptions(screen.getByLabelText('Valid for'), '86400');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(fieldError('Description')).toBe('at most 200 characters'));
    expect(fieldError('Valid for')).toBeNull();
    expect(f.calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', url: '/api/v1/tokens', body: { description: 'ci', expiresInSeconds: 86400 } },
    ]);
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('hands the created token over', async () => {
    const created = { id: 't1', token: 'atr_secret', description: '', expiresAt: '2026-01-31T00:00:00Z' };
    const f = fakeApi((m) => (m === 'POST' ? { status: 201, body: created } : undefined));
    const onCreated = vi.fn();
    renderWith(<CreateTokenDialog onClose={() => {}} onCreated={onCreated} />, { api: f.api, session });
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
  });
});
