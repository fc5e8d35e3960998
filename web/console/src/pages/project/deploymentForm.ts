// The deployment form's model: its values, the checks made before sending (keyed by the JSON path of the
// field in the Deployment, the same paths the server's Status causes name), and the Deployment it sends.
import type { MessageKey } from '../../i18n';
import type { StatusCause } from '../../api/errors';
import { checkEnvName, checkImage, checkName, checkPort, checkQuantity, checkSubdomain } from '../../components/validation';

export interface PortRow {
  name: string;
  containerPort: string;
  protocol: 'TCP' | 'UDP';
}

export type EnvSource = 'value' | 'configMap' | 'secret';

export interface EnvRow {
  name: string;
  source?: EnvSource; // default 'value'
  value: string;
  ref?: string; // the ConfigMap or Secret
  key?: string; // its key
}

export type ProbeType = 'none' | 'http' | 'tcp' | 'exec';

export interface ProbeValues {
  type: ProbeType;
  port: string; // a number or a port's name
  path: string;
  command: string; // one argument per line
  initialDelaySeconds: string;
  periodSeconds: string;
}

export const noProbe: ProbeValues = { type: 'none', port: '', path: '/', command: '', initialDelaySeconds: '', periodSeconds: '' };

export interface DeploymentFormValues {
  name: string;
  image: string;
  replicas: string;
  ports: PortRow[];
  env: EnvRow[];
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
  command?: string; // one argument per line; empty: the image's entrypoint
  args?: string;
  readiness?: ProbeValues;
  liveness?: ProbeValues;
}

export const emptyDeployment: DeploymentFormValues = {
  name: '',
  image: '',
  replicas: '1',
  ports: [],
  env: [],
  requestsCpu: '',
  requestsMemory: '',
  limitsCpu: '',
  limitsMemory: '',
  command: '',
  args: '',
  readiness: noProbe,
  liveness: noProbe,
};

export type ProbeKind = 'readiness' | 'liveness';

const c0 = 'spec.template.spec.containers[0]';
export const fieldPath = {
  name: 'metadata.name',
  image: `${c0}.image`,
  replicas: 'spec.replicas',
  port: (i: number) => `${c0}.ports[${i}].containerPort`,
  portName: (i: number) => `${c0}.ports[${i}].name`,
  envName: (i: number) => `${c0}.env[${i}].name`,
  envRef: (i: number, source: 'configMap' | 'secret') => `${c0}.env[${i}].valueFrom.${source}KeyRef.name`,
  envKey: (i: number, source: 'configMap' | 'secret') => `${c0}.env[${i}].valueFrom.${source}KeyRef.key`,
  command: `${c0}.command`,
  args: `${c0}.args`,
  probePort: (p: ProbeKind, type: ProbeType) => `${c0}.${p}Probe.${type === 'tcp' ? 'tcpSocket' : 'httpGet'}.port`,
  probePath: (p: ProbeKind) => `${c0}.${p}Probe.httpGet.path`,
  probeCommand: (p: ProbeKind) => `${c0}.${p}Probe.exec.command`,
  probeDelay: (p: ProbeKind) => `${c0}.${p}Probe.initialDelaySeconds`,
  probePeriod: (p: ProbeKind) => `${c0}.${p}Probe.periodSeconds`,
  requestsCpu: `${c0}.resources.requests.cpu`,
  requestsMemory: `${c0}.resources.requests.memory`,
  limitsCpu: `${c0}.resources.limits.cpu`,
  limitsMemory: `${c0}.resources.limits.memory`,
};

const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

// A Kubernetes quantity as a number (for comparing a request with its limit); NaN when not one.
export function parseQuantity(q: string): number {
  const m = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+)?([numkMGTPE]|[KMGTPE]i)?$/.exec(q.trim());
  if (!m) return NaN;
  const base = Number(m[1] + (m[2] ?? ''));
  return base * (suffixes[m[3] ?? ''] ?? NaN);
}

export type FormErrors = Record<string, MessageKey>;

export function validateDeployment(v: DeploymentFormValues): FormErrors {
  const errors: FormErrors = {};
  const put = (field: string, m: MessageKey | null) => {
    if (m && !errors[field]) errors[field] = m;
  };
  put(fieldPath.name, checkName(v.name, 63));
  put(fieldPath.image, checkImage(v.image));
  if (!/^\d+$/.test(v.replicas.trim()) || Number(v.replicas) > 10000) put(fieldPath.replicas, 'validation.replicas');
  const seenPorts = new Set<string>();
  v.ports.forEach((p, i) => {
    put(fieldPath.port(i), checkPort(p.containerPort.trim()));
    const key = `${p.containerPort.trim()}/${p.protocol}`;
    if (seenPorts.has(key)) put(fieldPath.port(i), 'validation.duplicatePort');
    seenPorts.add(key);
    if (p.name && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name)) put(fieldPath.portName(i), 'validation.portName');
    else if (p.name.length > 15) put(fieldPath.portName(i), 'validation.portName');
  });
  const seenEnv = new Set<string>();
  v.env.forEach((e, i) => {
    put(fieldPath.envName(i), checkEnvName(e.name.trim()));
    if (seenEnv.has(e.name.trim())) put(fieldPath.envName(i), 'validation.duplicateEnv');
    seenEnv.add(e.name.trim());
    const source = e.source ?? 'value';
    if (source !== 'value') {
      put(fieldPath.envRef(i, source), checkSubdomain((e.ref ?? '').trim()));
      const key = (e.key ?? '').trim();
      if (!key) put(fieldPath.envKey(i, source), 'validation.required');
      else if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253) put(fieldPath.envKey(i, source), 'validation.configKey');
    }
  });
  for (const kind of ['readiness', 'liveness'] as const) {
    const p = v[kind] ?? noProbe;
    if (p.type === 'none') continue;
    if (p.type === 'http' || p.type === 'tcp') {
      const port = p.port.trim();
      if (/^\d+$/.test(port)) put(fieldPath.probePort(kind, p.type), checkPort(port));
      else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port) || port.length > 15 || !/[a-z]/.test(port)) {
        put(fieldPath.probePort(kind, p.type), 'validation.probePort');
      }
    }
    if (p.type === 'http' && !p.path.trim().startsWith('/')) put(fieldPath.probePath(kind), 'validation.probePath');
    if (p.type === 'exec' && lines(p.command).length === 0) put(fieldPath.probeCommand(kind), 'validation.required');
    if (p.initialDelaySeconds.trim() && !/^\d+$/.test(p.initialDelaySeconds.trim())) put(fieldPath.probeDelay(kind), 'validation.seconds');
    if (p.periodSeconds.trim() && (!/^\d+$/.test(p.periodSeconds.trim()) || Number(p.periodSeconds) < 1)) {
      put(fieldPath.probePeriod(kind), 'validation.period');
    }
  }
  const pairs: [string, string, string, string][] = [
    [v.requestsCpu, v.limitsCpu, fieldPath.requestsCpu, fieldPath.limitsCpu],
    [v.requestsMemory, v.limitsMemory, fieldPath.requestsMemory, fieldPath.limitsMemory],
  ];
  for (const [req, lim, reqField, limField] of pairs) {
    put(reqField, checkQuantity(req.trim()));
    put(limField, checkQuantity(lim.trim()));
    if (!errors[reqField] && !errors[limField] && req.trim() && lim.trim() && parseQuantity(req) > parseQuantity(lim)) {
      put(reqField, 'validation.requestOverLimit');
    }
  }
  return errors;
}

// The non-empty lines of a text area (one argument per line).
export function lines(text: string | undefined): string[] {
  return (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

function envVar(e: EnvRow) {
  const name = e.name.trim();
  const source = e.source ?? 'value';
  if (source === 'value') return { name, value: e.value };
  const ref = { name: (e.ref ?? '').trim(), key: (e.key ?? '').trim() };
  return { name, valueFrom: source === 'configMap' ? { configMapKeyRef: ref } : { secretKeyRef: ref } };
}

function probe(p: ProbeValues | undefined) {
  if (!p || p.type === 'none') return undefined;
  const port = /^\d+$/.test(p.port.trim()) ? Number(p.port.trim()) : p.port.trim();
  const timing = {
    ...(p.initialDelaySeconds.trim() ? { initialDelaySeconds: Number(p.initialDelaySeconds) } : {}),
    ...(p.periodSeconds.trim() ? { periodSeconds: Number(p.periodSeconds) } : {}),
  };
  if (p.type === 'http') return { httpGet: { path: p.path.trim(), port }, ...timing };
  if (p.type === 'tcp') return { tcpSocket: { port }, ...timing };
  return { exec: { command: lines(p.command) }, ...timing };
}

function quantities(cpu: string, memory: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (cpu.trim()) out.cpu = cpu.trim();
  if (memory.trim()) out.memory = memory.trim();
  return Object.keys(out).length ? out : undefined;
}

export function toDeployment(v: DeploymentFormValues) {
  const name = v.name.trim();
  const labels = { app: name };
  const requests = quantities(v.requestsCpu, v.requestsMemory);
  const limits = quantities(v.limitsCpu, v.limitsMemory);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: Number(v.replicas),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name,
              image: v.image.trim(),
              command: lines(v.command).length ? lines(v.command) : undefined,
              args: lines(v.args).length ? lines(v.args) : undefined,
              ports: v.ports.length
                ? v.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: Number(p.containerPort), protocol: p.protocol }))
                : undefined,
              env: v.env.length ? v.env.map(envVar) : undefined,
              resources: requests || limits ? { requests, limits } : undefined,
              readinessProbe: probe(v.readiness),
              livenessProbe: probe(v.liveness),
            },
          ],
        },
      },
    },
  };
}

// The apiserver's validation message ("Deployment.apps \"x\" is invalid: spec.replicas: Invalid value: -1:
// must be greater than or equal to 0, metadata.name: ...") as causes, for answers that carry no
// details.causes.
export function causesFromMessage(message: string): StatusCause[] {
  const at = message.indexOf(' is invalid: ');
  if (at < 0) return [];
  const rest = message.slice(at + ' is invalid: '.length).replace(/^\[|\]$/g, '');
  const out: StatusCause[] = [];
  for (const part of rest.split(/, (?=[a-zA-Z][\w.]*(?:\[[^\]]*\])*(?:\.[\w]+(?:\[[^\]]*\])*)*: )/)) {
    const m = /^([a-zA-Z][\w.]*(?:\[[^\]]*\])*(?:\.[\w]+(?:\[[^\]]*\])*)*): (.*)$/s.exec(part.trim());
    if (m) out.push({ field: m[1], message: m[2] });
  }
  return out;
}
