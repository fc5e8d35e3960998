// The shared form hook: its own checks stop the request, one request at a time, and the server's causes placed
// on the fields that show them (list items with their path), the rest left to the banner.
import { act, renderHook } from '@testing-library/react';
import type { FormEvent, ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type StatusCause } from '../api/errors';
import { I18nProvider } from '../i18n';
import { type FormOptions, placeCauses, useForm } from './useForm';

const wrapper = ({ children }: { children: ReactNode }) => <I18nProvider locale="en">{children}</I18nProvider>;
const event = () => ({ preventDefault: vi.fn() }) as unknown as FormEvent;
const invalid = (causes: StatusCause[]) => new ApiError(422, 'Group "dev" is invalid', 'Invalid', causes);

function hook(options: FormOptions) {
  const r = renderHook((o: FormOptions) => useForm(o), { wrapper, initialProps: options });
  const submit = async () => {
    await act(async () => r.result.current.onSubmit(event()));
  };
  return { ...r, submit };
}

describe('placeCauses', () => {
  const causes = [
    { field: 'metadata.name', message: 'taken' },
    { field: 'metadata.name', message: 'also bad' },
    { field: 'spec.members[1]', message: 'user "zed" does not exist' },
    { field: 'spec.members[3]', message: 'user "amy" does not exist' },
    { field: 'spec.members', message: 'at most 100' },
    { field: 'spec.other', message: 'not on the form' },
    { message: 'no field' },
  ];

  it('places the first cause of each shown field, and a list item\'s with its path on the list', () => {
    // spec.members[3] is not shown on the list (it shows [1]'s): the banner lists it.
    expect(placeCauses(causes, { fields: ['metadata.name'], lists: ['spec.members'] })).toEqual({
      errors: { 'metadata.name': 'taken', 'spec.members': 'spec.members[1]: user "zed" does not exist' },
      placed: ['metadata.name', 'spec.members[1]'],
    });
  });

  it('places a cause on the list itself by the fields', () => {
    expect(placeCauses(causes.slice(4), { fields: ['spec.members'] })).toEqual({
      errors: { 'spec.members': 'at most 100' },
      placed: ['spec.members'],
    });
  });

  it('asks a function for the key of each field', () => {
    const at = (f: string) => (f.startsWith('spec.') ? `row.${f.slice(5)}` : null);
    expect(placeCauses(causes, { fields: at })).toEqual({
      errors: { 'row.members[1]': 'user "zed" does not exist', 'row.members[3]': 'user "amy" does not exist',
        'row.members': 'at most 100', 'row.other': 'not on the form' },
      placed: ['spec.members[1]', 'spec.members[3]', 'spec.members', 'spec.other'],
    });
  });
});

describe('useForm', () => {
  it('sends nothing while its own checks fail, and shows their messages translated', async () => {
    const send = vi.fn(async () => {});
    const f = hook({ validate: () => ({ 'metadata.name': 'validation.required' }), send, fields: ['metadata.name'] });
    await f.submit();
    expect(send).not.toHaveBeenCalled();
    expect(f.result.current.errors).toEqual({ 'metadata.name': 'Required' });
    expect(f.result.current.error).toBeNull();
  });

  it('places the server causes, hands the failure to onError first, and forgets it all on the next try', async () => {
    const failure = invalid([{ field: 'metadata.name', message: 'taken' }, { field: 'spec.x', message: 'bad x' }]);
    const send = vi.fn<() => Promise<void>>(async () => {
      throw failure;
    });
    const onError = vi.fn();
    const f = hook({ send, onError, fields: ['metadata.name'] });
    await f.submit();
    expect(onError).toHaveBeenCalledWith(failure);
    expect(f.result.current).toMatchObject({ errors: { 'metadata.name': 'taken' }, error: failure, placed: ['metadata.name'], busy: false });
    send.mockResolvedValueOnce(undefined);
    await f.submit();
    expect(f.result.current).toMatchObject({ errors: {}, error: null, placed: [] });
  });

  it('places the causes it is given for a failure (e.g. read out of the message)', async () => {
    const failure = new ApiError(422, 'Deployment.apps "web" is invalid: spec.replicas: must be positive', 'Invalid');
    const f = hook({
      send: async () => {
        throw failure;
      },
      fields: ['spec.replicas'],
      causes: () => [{ field: 'spec.replicas', message: 'must be positive' }],
    });
    await f.submit();
    expect(f.result.current.errors).toEqual({ 'spec.replicas': 'must be positive' });
    expect(f.result.current.placed).toEqual(['spec.replicas']);
  });

  it('keeps a failure that is not a Status for the banner, with no field errors', async () => {
    const failure = new Error('offline');
    const f = hook({
      send: async () => {
        throw failure;
      },
      fields: ['metadata.name'],
    });
    await f.submit();
    expect(f.result.current).toMatchObject({ errors: {}, error: failure, placed: [] });
  });

  it('sends one request at a time', async () => {
    let resolve = () => {};
    const send = vi.fn(() => new Promise<void>((r) => (resolve = r)));
    const f = hook({ send, fields: [] });
    await f.submit();
    expect(f.result.current.busy).toBe(true);
    await f.submit();
    expect(send).toHaveBeenCalledTimes(1);
    await act(async () => resolve());
    expect(f.result.current.busy).toBe(false);
  });

  it('forgets the errors on reset', async () => {
    const f = hook({
      send: async () => {
        throw invalid([{ field: 'metadata.name', message: 'taken' }]);
      },
      fields: ['metadata.name'],
    });
    await f.submit();
    act(() => f.result.current.reset());
    expect(f.result.current).toMatchObject({ errors: {}, error: null, placed: [] });
  });
});
