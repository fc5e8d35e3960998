// Services, ConfigMaps and Secrets from forms: the form state, its checks (mirroring Kubernetes' own), and
// the object sent to POST /api/v1/clusters/{c}/namespaces/{ns}/{resource}. Errors are keyed by the object's
// field paths, as the apiserver names them in its causes.
import { checkConfigKey, checkLabelKey, checkLabelValue, type KeyValue, toMap, validateRows } from '../../components/keyValues';
import { checkName, checkPort, checkSubdomain } from '../../components/validation';
import type { MessageKey } from '../../i18n';

export interface ServicePortRow {
  name: string;
  port: string;
  targetPort: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface ServiceFormState {
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  selector: KeyValue[];
  ports: ServicePortRow[];
}

export const emptyService: ServiceFormState = {
  name: '',
  type: 'ClusterIP',
  selector: [{ key: 'app', value: '' }],
  ports: [{ name: '', port: '80', targetPort: '8080', protocol: 'TCP' }],
};

const ianaSvcName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function prefixed(prefix: string, errors: Record<string, MessageKey>): Record<string, MessageKey> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${prefix}.${k}`, v]));
}

export function validateService(f: ServiceFormState): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const n = checkName(f.name);
  if (n) out['metadata.name'] = n;
  Object.assign(out, prefixed('selector', validateRows(f.selector, checkLabelKey, checkLabelValue)));
  if (f.ports.length === 0) out['spec.ports'] = 'services.portRequired';
  const seen = new Set<string>();
  f.ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const port = checkPort(p.port.trim());
    if (port) out[`${at}.port`] = port;
    else if (seen.has(`${p.port.trim()}/${p.protocol}`)) out[`${at}.port`] = 'validation.duplicatePort';
    seen.add(`${p.port.trim()}/${p.protocol}`);
    const target = p.targetPort.trim();
    if (target && (/^\d+$/.test(target) ? checkPort(target) : !(target.length <= 15 && ianaSvcName.test(target) && /[a-z]/.test(target)))) {
      out[`${at}.targetPort`] = 'validation.probePort';
    }
    if (p.name && (p.name.length > 15 || !ianaSvcName.test(p.name))) out[`${at}.name`] = 'validation.portName';
    if (!p.name && f.ports.length > 1) out[`${at}.name`] = 'services.portNameRequired';
  });
  return out;
}

export function toService(f: ServiceFormState): Record<string, unknown> {
  const selector = toMap(f.selector.filter((r) => r.key.trim()));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: f.name },
    spec: {
      type: f.type,
      ...(Object.keys(selector).length ? { selector } : {}),
      ports: f.ports.map((p) => {
        const target = p.targetPort.trim();
        return {
          ...(p.name ? { name: p.name } : {}),
          port: Number(p.port),
          protocol: p.protocol,
          ...(target ? { targetPort: /^\d+$/.test(target) ? Number(target) : target } : {}),
        };
      }),
    },
  };
}

export interface DataFormState {
  name: string;
  type: string; // Secrets only: Opaque, kubernetes.io/basic-auth, ...
  data: KeyValue[];
}

const maxDataBytes = 1024 * 1024; // the apiserver's limit for a ConfigMap or Secret

export function validateData(f: DataFormState): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const n = checkSubdomain(f.name);
  if (n) out['metadata.name'] = n;
  Object.assign(out, prefixed('data', validateRows(f.data, checkConfigKey, () => null)));
  const size = f.data.reduce((s, r) => s + r.key.length + new TextEncoder().encode(r.value).length, 0);
  if (size > maxDataBytes) out.data = 'config.tooLarge';
  return out;
}

export function toConfigMap(f: DataFormState): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: f.name }, data: toMap(f.data) };
}

// stringData: the apiserver encodes it; the values are never read back into the form.
export function toSecret(f: DataFormState): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: f.name }, type: f.type || 'Opaque', stringData: toMap(f.data) };
}

export const secretTypes = ['Opaque', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth', 'kubernetes.io/tls', 'kubernetes.io/dockerconfigjson'];
