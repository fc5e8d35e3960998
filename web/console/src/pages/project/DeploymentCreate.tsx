// Create a Deployment from a form: image, replicas, command, ports, environment (values or keys of a ConfigMap
// or Secret), requests and limits, readiness and liveness probes. Checked before sending; the server's refusal
// is shown next to the field its causes name, the rest next to the button.
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAccess } from '../../access/context';
import { paths } from '../../api/endpoints';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useForm } from '../../components/useForm';
import { useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Button } from '../../ui/Button';
import { SelectField, TextAreaField, TextField } from '../../ui/Field';
import { useFetch } from '../../hooks/useFetch';
import { useToast } from '../../ui/Toast';
import {
  type DeploymentFormValues,
  type EnvRow,
  type EnvSource,
  type ProbeKind,
  type ProbeType,
  type ProbeValues,
  causesFromMessage,
  emptyDeployment,
  fieldPath,
  noProbe,
  toDeployment,
  validateDeployment,
} from './deploymentForm';
import { useProject } from './ProjectLayout';

export interface DeploymentFormProps {
  submit: (deployment: ReturnType<typeof toDeployment>) => Promise<void>;
  onCancel?: () => void;
  // Names offered for environment references (the project's ConfigMaps and Secrets).
  configMaps?: string[];
  secrets?: string[];
}

// The form alone (tested without a router or a server).
export function DeploymentForm({ submit, onCancel, configMaps = [], secrets = [] }: DeploymentFormProps) {
  const { t } = useI18n();
  const listId = useId();
  const [v, setV] = useState<DeploymentFormValues>(emptyDeployment);
  // The fields the form shows now (a server cause on any other one is listed by the banner).
  const shown = [
    fieldPath.name, fieldPath.image, fieldPath.replicas, fieldPath.requestsCpu, fieldPath.requestsMemory,
    fieldPath.limitsCpu, fieldPath.limitsMemory,
    ...v.ports.flatMap((_, i) => [fieldPath.port(i), fieldPath.portName(i)]),
    fieldPath.command, fieldPath.args,
    ...v.env.flatMap((e, i) => [
      fieldPath.envName(i),
      ...(e.source && e.source !== 'value' ? [fieldPath.envRef(i, e.source), fieldPath.envKey(i, e.source)] : []),
    ]),
    ...(['readiness', 'liveness'] as const).flatMap((k) => {
      const p = v[k] ?? noProbe;
      return p.type === 'none' ? [] : [fieldPath.probePort(k, p.type), fieldPath.probePath(k), fieldPath.probeCommand(k),
        fieldPath.probeDelay(k), fieldPath.probePeriod(k)];
    }),
  ];
  const setEnv = (i: number, patch: Partial<EnvRow>) => set('env', v.env.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const setProbe = (k: ProbeKind, patch: Partial<ProbeValues>) => set(k, { ...(v[k] ?? noProbe), ...patch });

  const set = <K extends keyof DeploymentFormValues>(k: K, value: DeploymentFormValues[K]) => setV((x) => ({ ...x, [k]: value }));

  const form = useForm({
    validate: () => {
      const found = validateDeployment(v);
      // focus the first invalid control so keyboard and screen reader users land on it
      if (Object.keys(found).length) requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return found;
    },
    send: () => submit(toDeployment(v)),
    fields: shown,
    // an apiserver refusal may name its fields only in its message
    causes: (e) => (e.causes.length ? e.causes : causesFromMessage(e.message)),
  });
  const { errors } = form;

  return (
    <form onSubmit={form.onSubmit} noValidate aria-label={t('deploy.title')}>
      <div className="form-row">
        <TextField label={t('common.name')} value={v.name} onChange={(e) => set('name', e.target.value)}
          error={errors[fieldPath.name]} autoComplete="off" hint={t('validation.dnsLabelHint')} />
        <TextField label={t('deploy.replicas')} type="number" min={0} max={10000} value={v.replicas}
          onChange={(e) => set('replicas', e.target.value)} error={errors[fieldPath.replicas]} />
      </div>
      <TextField label={t('deploy.image')} value={v.image} onChange={(e) => set('image', e.target.value)}
        error={errors[fieldPath.image]} placeholder="registry.example.com/team/app:1.2.3" autoComplete="off" />

      <fieldset>
        <legend>{t('deploy.ports')}</legend>
        {v.ports.map((p, i) => (
          <div className="form-row" key={i}>
            <TextField label={t('deploy.portNumber', { n: i + 1 })} inputMode="numeric" value={p.containerPort}
              onChange={(e) => set('ports', v.ports.map((x, j) => (j === i ? { ...x, containerPort: e.target.value } : x)))}
              error={errors[fieldPath.port(i)]} />
            <TextField label={t('deploy.portName', { n: i + 1 })} value={p.name}
              onChange={(e) => set('ports', v.ports.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
              error={errors[fieldPath.portName(i)]} />
            <SelectField label={t('deploy.protocol', { n: i + 1 })} value={p.protocol}
              onChange={(e) => set('ports', v.ports.map((x, j) => (j === i ? { ...x, protocol: e.target.value as 'TCP' | 'UDP' } : x)))}
              options={[{ value: 'TCP', label: 'TCP' }, { value: 'UDP', label: 'UDP' }]} />
            <Button variant="ghost" style={{ marginTop: 24 }} onClick={() => set('ports', v.ports.filter((_, j) => j !== i))}
              aria-label={t('deploy.removePort', { n: i + 1 })}>
              {t('common.remove')}
            </Button>
          </div>
        ))}
        <Button onClick={() => set('ports', [...v.ports, { name: '', containerPort: '', protocol: 'TCP' }])}>{t('deploy.addPort')}</Button>
      </fieldset>

      <fieldset>
        <legend>{t('deploy.commandLegend')}</legend>
        <div className="form-row">
          <TextAreaField label={t('deploy.command')} rows={3} value={v.command ?? ''} spellCheck={false}
            onChange={(e) => set('command', e.target.value)} error={errors[fieldPath.command]} hint={t('deploy.commandHint')} />
          <TextAreaField label={t('deploy.args')} rows={3} value={v.args ?? ''} spellCheck={false}
            onChange={(e) => set('args', e.target.value)} error={errors[fieldPath.args]} hint={t('deploy.argsHint')} />
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('deploy.env')}</legend>
        <datalist id={`${listId}-cm`}>{configMaps.map((n) => <option key={n} value={n} />)}</datalist>
        <datalist id={`${listId}-secret`}>{secrets.map((n) => <option key={n} value={n} />)}</datalist>
        {v.env.map((row, i) => {
          const source: EnvSource = row.source ?? 'value';
          return (
            <div className="form-row" key={i}>
              <TextField label={t('deploy.envName', { n: i + 1 })} value={row.name}
                onChange={(e) => setEnv(i, { name: e.target.value })} error={errors[fieldPath.envName(i)]} autoComplete="off" />
              <SelectField label={t('deploy.envSource', { n: i + 1 })} value={source}
                onChange={(e) => setEnv(i, { source: e.target.value as EnvSource })}
                options={[
                  { value: 'value', label: t('deploy.envSourceValue') },
                  { value: 'configMap', label: t('deploy.envSourceConfigMap') },
                  { value: 'secret', label: t('deploy.envSourceSecret') },
                ]} />
              {source === 'value' ? (
                <TextField label={t('deploy.envValue', { n: i + 1 })} value={row.value}
                  onChange={(e) => setEnv(i, { value: e.target.value })} autoComplete="off" />
              ) : (
                <>
                  <TextField label={source === 'configMap' ? t('deploy.envConfigMap', { n: i + 1 }) : t('deploy.envSecret', { n: i + 1 })}
                    value={row.ref ?? ''} list={`${listId}-${source === 'configMap' ? 'cm' : 'secret'}`} autoComplete="off"
                    onChange={(e) => setEnv(i, { ref: e.target.value })} error={errors[fieldPath.envRef(i, source)]} />
                  <TextField label={t('deploy.envKey', { n: i + 1 })} value={row.key ?? ''} autoComplete="off"
                    onChange={(e) => setEnv(i, { key: e.target.value })} error={errors[fieldPath.envKey(i, source)]} />
                </>
              )}
              <Button variant="ghost" style={{ marginTop: 24 }} onClick={() => set('env', v.env.filter((_, j) => j !== i))}
                aria-label={t('deploy.removeEnv', { n: i + 1 })}>
                {t('common.remove')}
              </Button>
            </div>
          );
        })}
        <Button onClick={() => set('env', [...v.env, { name: '', value: '', source: 'value' }])}>{t('deploy.addEnv')}</Button>
      </fieldset>

      <fieldset>
        <legend>{t('deploy.resources')}</legend>
        <div className="form-row">
          <TextField label={t('deploy.requestsCpu')} value={v.requestsCpu} placeholder="100m"
            onChange={(e) => set('requestsCpu', e.target.value)} error={errors[fieldPath.requestsCpu]} />
          <TextField label={t('deploy.limitsCpu')} value={v.limitsCpu} placeholder="500m"
            onChange={(e) => set('limitsCpu', e.target.value)} error={errors[fieldPath.limitsCpu]} />
          <TextField label={t('deploy.requestsMemory')} value={v.requestsMemory} placeholder="128Mi"
            onChange={(e) => set('requestsMemory', e.target.value)} error={errors[fieldPath.requestsMemory]} />
          <TextField label={t('deploy.limitsMemory')} value={v.limitsMemory} placeholder="512Mi"
            onChange={(e) => set('limitsMemory', e.target.value)} error={errors[fieldPath.limitsMemory]} />
        </div>
      </fieldset>

      {(['readiness', 'liveness'] as const).map((k) => {
        const p = v[k] ?? noProbe;
        return (
          <fieldset key={k}>
            <legend>{k === 'readiness' ? t('deploy.readiness') : t('deploy.liveness')}</legend>
            <div className="form-row">
              <SelectField label={k === 'readiness' ? t('deploy.readinessType') : t('deploy.livenessType')} value={p.type}
                onChange={(e) => setProbe(k, { type: e.target.value as ProbeType })}
                options={[
                  { value: 'none', label: t('deploy.probeNone') },
                  { value: 'http', label: t('deploy.probeHttp') },
                  { value: 'tcp', label: t('deploy.probeTcp') },
                  { value: 'exec', label: t('deploy.probeExec') },
                ]} />
              {(p.type === 'http' || p.type === 'tcp') && (
                <TextField label={t('deploy.probePort')} value={p.port} onChange={(e) => setProbe(k, { port: e.target.value })}
                  error={errors[fieldPath.probePort(k, p.type)]} placeholder="8080" autoComplete="off" />
              )}
              {p.type === 'http' && (
                <TextField label={t('deploy.probePath')} value={p.path} onChange={(e) => setProbe(k, { path: e.target.value })}
                  error={errors[fieldPath.probePath(k)]} autoComplete="off" />
              )}
              {p.type === 'exec' && (
                <TextAreaField label={t('deploy.probeCommand')} rows={2} value={p.command} spellCheck={false}
                  onChange={(e) => setProbe(k, { command: e.target.value })} error={errors[fieldPath.probeCommand(k)]}
                  hint={t('deploy.commandHint')} />
              )}
              {p.type !== 'none' && (
                <>
                  <TextField label={t('deploy.probeDelay')} inputMode="numeric" value={p.initialDelaySeconds}
                    onChange={(e) => setProbe(k, { initialDelaySeconds: e.target.value })} error={errors[fieldPath.probeDelay(k)]} placeholder="0" />
                  <TextField label={t('deploy.probePeriod')} inputMode="numeric" value={p.periodSeconds}
                    onChange={(e) => setProbe(k, { periodSeconds: e.target.value })} error={errors[fieldPath.probePeriod(k)]} placeholder="10" />
                </>
              )}
            </div>
          </fieldset>
        );
      })}

      <ErrorBanner error={form.error} shownFields={form.placed} />
      <div className="form-actions">
        {onCancel && <Button onClick={onCancel}>{t('common.cancel')}</Button>}
        <Button type="submit" variant="primary" busy={form.busy}>{t('deploy.submit')}</Button>
      </div>
    </form>
  );
}

export default function DeploymentCreate() {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const navigate = useNavigate();
  const project = useProject();
  const { observeError } = useAccess();
  const back = `${projectBase(project.workspace, project.project)}/workloads`;
  const names = useFetch(
    async (signal) => {
      const read = (resource: string) =>
        api.list<{ metadata: { name: string } }>(paths.objects(project.cluster, project.namespace, resource), { limit: 1000, sortBy: 'name', ascending: true }, signal)
          .then((r) => r.items.map((o) => o.metadata.name), () => [] as string[]);
      const [configMaps, secrets] = await Promise.all([read('configmaps'), read('secrets')]);
      return { configMaps, secrets };
    },
    [api, project.cluster, project.namespace],
  );
  return (
    <div style={{ maxWidth: 860 }}>
      <div className="breadcrumbs">
        <Link to={back}>{t('nav.workloads')}</Link> · {project.project}
      </div>
      <h1>{t('deploy.title')}</h1>
      <DeploymentForm
        configMaps={names.data?.configMaps}
        secrets={names.data?.secrets}
        onCancel={() => navigate(back)}
        submit={async (d) => {
          try {
            await api.post(paths.objects(project.cluster, project.namespace, 'deployments'), d);
          } catch (e) {
            throw observeError({ verb: 'create', group: 'apps', resource: 'deployments', scope: project.scope }, e);
          }
          toast('success', t('deploy.created', { name: d.metadata.name }));
          navigate(back);
        }}
      />
    </div>
  );
}
