import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, renderWith } from '../test/render';
import { OwnPasswordDialog, validateOwnPassword } from './Tokens';

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
