import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { failureBanner, fakeApi, fieldError, renderWith } from '../../test/render';
import { DataDialog, ServiceDialog } from './SimpleCreate';
import { emptyService, toSecret, toService, validateData, validateService } from './simpleForms';

describe('service form', () => {
  it('accepts the defaults with a name and builds the Service', () => {
    const f = { ...emptyService, name: 'web', selector: [{ key: 'app', value: 'web' }] };
    expect(validateService(f)).toEqual({});
    expect(toService(f)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] },
    });
  });

  it('names each bad field by its path', () => {
    expect(
      validateService({
        name: 'Web',
        type: 'ClusterIP',
        selector: [{ key: 'bad key', value: '' }],
        ports: [
          { name: '', port: '70000', targetPort: 'http', protocol: 'TCP' },
          { name: 'Way_Bad', port: '80', targetPort: '0', protocol: 'TCP' },
        ],
      }),
    ).toEqual({
      'metadata.name': 'validation.dnsLabel',
      'selector.0.key': 'validation.labelKey',
      'spec.ports[0].port': 'validation.port',
      'spec.ports[0].name': 'services.portNameRequired',
      'spec.ports[1].targetPort': 'validation.probePort',
      'spec.ports[1].name': 'validation.portName',
    });
    expect(validateService({ ...emptyService, name: 'x', ports: [] })['spec.ports']).toBe('services.portRequired');
  });

  it('shows the errors in the dialog and sends nothing', async () => {
    const send = vi.fn(async () => {});
    renderWith(<ServiceDialog send={send} onClose={() => {}} onDenied={() => {}} />, { api: fakeApi(() => undefined).api });
    await userEvent.clear(screen.getByLabelText('Port 1'));
    await userEvent.type(screen.getByLabelText('Port 1'), '99999');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(send).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Port 1').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('ConfigMap and Secret forms', () => {
  it('checks keys and names', () => {
    expect(validateData({ name: 'cfg', type: '', data: [{ key: 'a.yaml', value: 'x: 1' }] })).toEqual({});
    expect(validateData({ name: 'Bad', type: '', data: [{ key: 'a b', value: '' }, { key: '', value: '' }] })).toEqual({
      'metadata.name': 'validation.dnsSubdomain',
      'data.0.key': 'validation.configKey',
      'data.1.key': 'validation.required',
    });
  });

  it('sends Secret values as stringData, typed in password fields', async () => {
    expect(toSecret({ name: 's', type: 'Opaque', data: [{ key: 'token', value: 'abc' }] })).toEqual({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', stringData: { token: 'abc' },
    });
    const send = vi.fn(async () => {});
    renderWith(<DataDialog secret send={send} onClose={() => {}} onDenied={() => {}} />, { api: fakeApi(() => undefined).api });
    expect(screen.getByLabelText('Value 1').getAttribute('type')).toBe('password');
    await userEvent.type(screen.getByLabelText('Name'), 'db');
    await userEvent.type(screen.getByLabelText('Key 1'), 'password');
    await userEvent.type(screen.getByLabelText('Value 1'), 's3cret');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(send).toHaveBeenCalledWith({ name: 'db', type: 'Opaque', data: [{ key: 'password', value: 's3cret' }] });
  });
});

describe('the apiserver refusing a form', () => {
  const refusing = (kind: string, causes: { field: string; message: string }[]) => {
    const refused = new ApiError(422, `${kind} "web" is invalid`, 'Invalid', causes);
    return { refused, send: vi.fn(async () => Promise.reject(refused)), onDenied: vi.fn() };
  };

  it("shows a Service port's cause on the port, and the selector's in the banner", async () => {
    const { refused, send, onDenied } = refusing('Service', [
      { field: 'spec.ports[0].port', message: 'provided port is already allocated' },
      { field: 'spec.selector', message: 'Invalid value: "app"' },
    ]);
    renderWith(<ServiceDialog send={send} onClose={() => {}} onDenied={onDenied} />, { api: fakeApi(() => undefined).api });
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Selector value 1'), 'web');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(send).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(fieldError('Port 1')).toBe('provided port is already allocated'));
    expect(failureBanner()).toContain('Invalid value: "app"');
    expect(failureBanner()).not.toContain('already allocated');
    expect(onDenied).toHaveBeenCalledWith(refused);
  });

  it("shows a ConfigMap name's cause on the name", async () => {
    const { send, onDenied } = refusing('ConfigMap', [{ field: 'metadata.name', message: 'configmaps "web" already exists' }]);
    renderWith(<DataDialog secret={false} send={send} onClose={() => {}} onDenied={onDenied} />, { api: fakeApi(() => undefined).api });
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Key 1'), 'a');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(fieldError('Name')).toBe('configmaps "web" already exists'));
    expect(fieldError('Key 1')).toBeNull();
  });
});
