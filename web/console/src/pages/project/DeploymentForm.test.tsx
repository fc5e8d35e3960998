import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { I18nProvider } from '../../i18n';
import { DeploymentForm } from './DeploymentCreate';
import { causesFromMessage, emptyDeployment, parseQuantity, toDeployment, validateDeployment } from './deploymentForm';

function renderForm(submit = vi.fn(async () => {})) {
  render(
    <I18nProvider locale="en">
      <DeploymentForm submit={submit} />
    </I18nProvider>,
  );
  return submit;
}

describe('validateDeployment', () => {
  it('accepts a complete, valid form', () => {
    expect(
      validateDeployment({
        ...emptyDeployment,
        name: 'merchant-api',
        image: 'registry.local:5000/merchant/api:1.4.2',
        replicas: '3',
        ports: [{ name: 'http', containerPort: '8080', protocol: 'TCP' }],
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        requestsCpu: '100m',
        limitsCpu: '1',
        requestsMemory: '128Mi',
        limitsMemory: '1Gi',
      }),
    ).toEqual({});
  });

  it('names each bad field by its path in the Deployment', () => {
    const errors = validateDeployment({
      ...emptyDeployment,
      name: 'Merchant_API',
      image: 'Not An Image',
      replicas: '-1',
      ports: [
        { name: '', containerPort: '70000', protocol: 'TCP' },
        { name: 'way-too-long-port-name', containerPort: '80', protocol: 'TCP' },
        { name: '', containerPort: '80', protocol: 'TCP' },
      ],
      env: [{ name: '1BAD', value: '' }, { name: 'A', value: '' }, { name: 'A', value: '' }],
      requestsCpu: '2',
      limitsCpu: '500m',
      requestsMemory: 'lots',
    });
    const c = 'spec.template.spec.containers[0]';
    expect(errors).toEqual({
      'metadata.name': 'validation.dnsLabel',
      [`${c}.image`]: 'validation.image',
      'spec.replicas': 'validation.replicas',
      [`${c}.ports[0].containerPort`]: 'validation.port',
      [`${c}.ports[1].name`]: 'validation.portName',
      [`${c}.ports[2].containerPort`]: 'validation.duplicatePort',
      [`${c}.env[0].name`]: 'validation.envName',
      [`${c}.env[2].name`]: 'validation.duplicateEnv',
      [`${c}.resources.requests.cpu`]: 'validation.requestOverLimit',
      [`${c}.resources.requests.memory`]: 'validation.quantity',
    });
  });

  it('compares quantities with their units', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(Number.isNaN(parseQuantity('1 Gi'))).toBe(true);
  });

  it('builds the Deployment that is sent', () => {
    const d = toDeployment({
      ...emptyDeployment,
      name: 'web',
      image: 'atrium/busybox:1',
      replicas: '2',
      ports: [{ name: '', containerPort: '8080', protocol: 'TCP' }],
      env: [{ name: 'MODE', value: 'sandbox' }],
      limitsMemory: '256Mi',
    });
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(d.spec.template.spec.containers[0]).toEqual({
      name: 'web',
      image: 'atrium/busybox:1',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'MODE', value: 'sandbox' }],
      resources: { requests: undefined, limits: { memory: '256Mi' } },
    });
  });

  it('reads field causes out of an apiserver message', () => {
    expect(
      causesFromMessage(
        'Deployment.apps "web" is invalid: [spec.template.spec.containers[0].image: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
      ),
    ).toEqual([
      { field: 'spec.template.spec.containers[0].image', message: 'Required value' },
      { field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
    ]);
    expect(causesFromMessage('namespace is being terminated')).toEqual([]);
  });
});

describe('DeploymentForm', () => {
  it('does not send an invalid form and shows each error next to its field', async () => {
    const submit = renderForm();
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Container image'), 'UPPER/case image');
    await userEvent.click(screen.getByRole('button', { name: 'Add port' }));
    await userEvent.type(screen.getByLabelText('Port 1 number'), '99999');
    await userEvent.click(screen.getByRole('button', { name: 'Create deployment' }));
    expect(submit).not.toHaveBeenCalled();
    const image = screen.getByLabelText('Container image');
    expect(image.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(image.getAttribute('aria-describedby')!)!.textContent).toMatch(/Not a valid image reference/);
    expect(screen.getByText('A port is a whole number from 1 to 65535.')).toBeTruthy();
  });

  it('sends a valid form, and shows the server\'s causes next to the fields they name', async () => {
    const submit = vi.fn(async () => {
      throw new ApiError(422, 'Deployment.apps "web" is invalid', 'Invalid', [
        { field: 'spec.template.spec.containers[0].image', message: 'image is not allowed in this project' },
        { field: 'spec.template.spec.nodeSelector', message: 'a cause no field shows' },
      ]);
    });
    renderForm(submit);
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Container image'), 'atrium/busybox:1');
    await userEvent.click(screen.getByRole('button', { name: 'Create deployment' }));
    expect(submit).toHaveBeenCalledTimes(1);
    expect(submit.mock.calls[0]).toBeDefined();
    const image = screen.getByLabelText('Container image');
    expect(image.getAttribute('aria-invalid')).toBe('true');
    expect(await screen.findByText('image is not allowed in this project')).toBeTruthy();
    // the cause without a field of the form stays next to the button, with the Status message
    expect(screen.getByText('a cause no field shows')).toBeTruthy();
    expect(screen.getByText('Deployment.apps "web" is invalid')).toBeTruthy();
  });
});

describe('a refusal naming its fields only in its message', () => {
  it('places them next to their fields all the same', async () => {
    const submit = vi.fn(async () => {
      throw new ApiError(422, 'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: 20000: must be at most 10000, spec.paused: Forbidden]', 'Invalid');
    });
    renderForm(submit);
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Container image'), 'atrium/busybox:1');
    await userEvent.click(screen.getByRole('button', { name: 'Create deployment' }));
    const replicas = screen.getByLabelText('Replicas');
    expect(await screen.findByText('Invalid value: 20000: must be at most 10000')).toBeTruthy();
    expect(replicas.getAttribute('aria-invalid')).toBe('true');
    // the message itself, naming every cause, stays next to the button
    expect(screen.getByText(/spec\.paused: Forbidden/)).toBeTruthy();
  });
});

describe('command, references and probes', () => {
  const c = 'spec.template.spec.containers[0]';
  const base = { ...emptyDeployment, name: 'web', image: 'atrium/busybox:1' };

  it('sends the command, environment references and probes as the Deployment holds them', () => {
    const d = toDeployment({
      ...base,
      command: 'sh\n-c\n  echo started; exec httpd -f -p 8080  \n',
      args: '',
      env: [
        { name: 'LEVEL', value: 'info' },
        { name: 'DB_HOST', value: '', source: 'configMap', ref: 'settings', key: 'db.host' },
        { name: 'DB_PASSWORD', value: '', source: 'secret', ref: 'credentials', key: 'password' },
      ],
      readiness: { type: 'http', port: '8080', path: '/ready', command: '', initialDelaySeconds: '5', periodSeconds: '' },
      liveness: { type: 'tcp', port: 'http', path: '/', command: '', initialDelaySeconds: '', periodSeconds: '20' },
    });
    const container = d.spec.template.spec.containers[0];
    expect(container.command).toEqual(['sh', '-c', 'echo started; exec httpd -f -p 8080']);
    expect(container.args).toBeUndefined();
    expect(container.env).toEqual([
      { name: 'LEVEL', value: 'info' },
      { name: 'DB_HOST', valueFrom: { configMapKeyRef: { name: 'settings', key: 'db.host' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'credentials', key: 'password' } } },
    ]);
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 5 });
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 20 });
  });

  it('checks references and probes before sending', () => {
    expect(validateDeployment({
      ...base,
      env: [{ name: 'A', value: '', source: 'secret', ref: 'Bad_Name', key: '' }],
      readiness: { type: 'http', port: '70000', path: 'ready', command: '', initialDelaySeconds: '-1', periodSeconds: '0' },
      liveness: { type: 'exec', port: '', path: '', command: '  \n', initialDelaySeconds: '', periodSeconds: '' },
    })).toEqual({
      [`${c}.env[0].valueFrom.secretKeyRef.name`]: 'validation.dnsSubdomain',
      [`${c}.env[0].valueFrom.secretKeyRef.key`]: 'validation.required',
      [`${c}.readinessProbe.httpGet.port`]: 'validation.port',
      [`${c}.readinessProbe.httpGet.path`]: 'validation.probePath',
      [`${c}.readinessProbe.initialDelaySeconds`]: 'validation.seconds',
      [`${c}.readinessProbe.periodSeconds`]: 'validation.period',
      [`${c}.livenessProbe.exec.command`]: 'validation.required',
    });
  });

  it('offers the project\'s ConfigMaps for a reference and shows the server\'s cause on its field', async () => {
    const submit = vi.fn(async () => {
      throw new ApiError(422, 'Deployment.apps "web" is invalid', 'Invalid', [
        { field: `${c}.env[0].valueFrom.configMapKeyRef.key`, message: 'key "nope" is not in ConfigMap settings' },
      ]);
    });
    render(
      <I18nProvider locale="en">
        <DeploymentForm submit={submit} configMaps={['settings', 'flags']} />
      </I18nProvider>,
    );
    await userEvent.type(screen.getByLabelText('Name'), 'web');
    await userEvent.type(screen.getByLabelText('Container image'), 'atrium/busybox:1');
    await userEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    await userEvent.type(screen.getByLabelText('Variable 1 name'), 'DB_HOST');
    await userEvent.selectOptions(screen.getByLabelText('Variable 1 source'), 'configMap');
    const ref = screen.getByLabelText('Variable 1 ConfigMap');
    const list = document.getElementById(ref.getAttribute('list')!)!;
    expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['settings', 'flags']);
    await userEvent.type(ref, 'settings');
    await userEvent.type(screen.getByLabelText('Variable 1 key'), 'nope');
    await userEvent.selectOptions(screen.getByLabelText('Readiness check'), 'http');
    await userEvent.type(screen.getByLabelText('Port (number or name)'), '8080');
    await userEvent.click(screen.getByRole('button', { name: 'Create deployment' }));
    expect(submit).toHaveBeenCalledTimes(1);
    const key = screen.getByLabelText('Variable 1 key');
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('key "nope" is not in ConfigMap settings')).toBeTruthy();
  });
});
