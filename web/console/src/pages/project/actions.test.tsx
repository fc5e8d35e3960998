// The scale dialog: a replica count checked before it is sent, and the server's refusal on the field (the
// causes it does not show in the banner).
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { failureBanner, fakeApi, fieldError, renderWith } from '../../test/render';
import { ScaleDialog, validateReplicas } from './actions';

function scale(onScale: (n: number) => Promise<void>) {
  renderWith(<ScaleDialog name="web" current={2} onClose={() => {}} onScale={onScale} />, { api: fakeApi(() => undefined).api });
  return screen.getByLabelText('Replicas');
}

describe('scale', () => {
  it('takes a whole number from 0 to 10000', () => {
    expect(['0', '3', ' 10000 '].map(validateReplicas)).toEqual([{}, {}, {}]);
    expect(['', '-1', '1.5', '10001'].map((v) => validateReplicas(v)['spec.replicas'])).toEqual(Array(4).fill('validation.replicas'));
  });

  it('sends the new count once it is valid', async () => {
    const onScale = vi.fn(async () => {});
    const replicas = scale(onScale);
    expect((replicas as HTMLInputElement).value).toBe('2');
    await userEvent.clear(replicas);
    await userEvent.click(screen.getByRole('button', { name: 'Scale' }));
    expect(fieldError('Replicas')).toBe('A whole number from 0 to 10000.');
    expect(onScale).not.toHaveBeenCalled();
    await userEvent.type(replicas, '5');
    await userEvent.click(screen.getByRole('button', { name: 'Scale' }));
    expect(onScale).toHaveBeenCalledWith(5);
    expect(fieldError('Replicas')).toBeNull();
  });

  it('shows the server\'s cause on the field, and the others in the banner', async () => {
    const refusal = new ApiError(422, 'Scale.autoscaling "web" is invalid', 'Invalid', [
      { field: 'spec.replicas', message: 'exceeds the project quota of 8 pods' },
      { field: 'metadata.resourceVersion', message: 'changed meanwhile' },
    ]);
    const replicas = scale(async () => {
      throw refusal;
    });
    await userEvent.clear(replicas);
    await userEvent.type(replicas, '9');
    await userEvent.click(screen.getByRole('button', { name: 'Scale' }));
    await waitFor(() => expect(fieldError('Replicas')).toBe('exceeds the project quota of 8 pods'));
    expect(failureBanner()).toContain('changed meanwhile');
    expect(failureBanner()).not.toContain('quota');
  });
});
