// "Create from form" for Services, ConfigMaps and Secrets of a project (the YAML page stays for the rest).
// Secret values are typed into password fields and sent as stringData; nothing is read back into the form.
import { useState, type FormEvent, type ReactNode } from 'react';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';
import {
  type DataFormState, emptyService, secretTypes, type ServiceFormState, type ServicePortRow, toConfigMap, toSecret, toService,
  validateData, validateService,
} from './simpleForms';

export const formKinds = ['services', 'configmaps', 'secrets'] as const;
export type FormKind = (typeof formKinds)[number];

// Errors under `prefix.` (e.g. "selector.0.key") as the rows editor keys them ("0.key").
const under = (errors: Record<string, string>, prefix: string) =>
  Object.fromEntries(Object.entries(errors).filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v]));

function useSubmit<T>(validate: (f: T) => Record<string, MessageKey>, send: (f: T) => Promise<void>, onDenied: (e: unknown) => void) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (form: T) => async (e: FormEvent) => {
    e.preventDefault();
    const local = validate(form);
    setErrors(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, t(v)])));
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await send(form);
    } catch (err) {
      onDenied(err);
      setBusy(false);
      setError(err);
      if (err instanceof ApiError) setErrors(err.fieldErrors());
    }
  };
  return { errors, error, busy, submit };
}

function Frame({ title, onClose, onSubmit, busy, error, errors, shown, children }: {
  title: string;
  onClose: () => void;
  onSubmit: (e: FormEvent) => void;
  busy: boolean;
  error: unknown;
  errors: Record<string, string>;
  shown: string[];
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form onSubmit={onSubmit} noValidate autoComplete="off">
        <ErrorBanner error={error} shownFields={[...shown, ...Object.keys(errors).filter((k) => shown.some((s) => k.startsWith(s)))]} />
        {children}
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.create')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

export function CreateFromForm({ kind, cluster, namespace, onClose, onDenied }: {
  kind: FormKind;
  cluster: string;
  namespace: string;
  onClose: () => void;
  onDenied: (e: unknown) => void;
}) {
  const api = useApi();
  const toast = useToast();
  const { t } = useI18n();
  const post = async (body: Record<string, unknown>, name: string) => {
    await api.post(paths.objects(cluster, namespace, kind), body);
    toast('success', t('forms.created', { name }));
    onClose();
  };
  if (kind === 'services') return <ServiceDialog onClose={onClose} onDenied={onDenied} send={(f) => post(toService(f), f.name)} />;
  return <DataDialog secret={kind === 'secrets'} onClose={onClose} onDenied={onDenied}
    send={(f) => post(kind === 'secrets' ? toSecret(f) : toConfigMap(f), f.name)} />;
}

export function ServiceDialog({ send, onClose, onDenied }: {
  send: (f: ServiceFormState) => Promise<void>;
  onClose: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<ServiceFormState>(emptyService);
  const { errors, error, busy, submit } = useSubmit(validateService, send, onDenied);
  const setPort = (i: number, p: Partial<ServicePortRow>) => setForm({ ...form, ports: form.ports.map((x, j) => (j === i ? { ...x, ...p } : x)) });
  return (
    <Frame title={t('services.create')} onClose={onClose} onSubmit={submit(form)} busy={busy} error={error} errors={errors}
      shown={['metadata.name', 'spec.type', 'spec.ports', 'spec.selector']}>
      <div className="form-row">
        <TextField label={t('common.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={errors['metadata.name']} hint={t('validation.dnsLabelHint')} />
        <SelectField label={t('services.type')} value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as ServiceFormState['type'] })}
          options={['ClusterIP', 'NodePort', 'LoadBalancer'].map((v) => ({ value: v, label: v }))} error={errors['spec.type']} />
      </div>
      <KeyValueEditor legend={t('services.selector')} rows={form.selector} onChange={(selector) => setForm({ ...form, selector })}
        errors={under(errors, 'selector')} keyLabel={t('services.selectorKey')} valueLabel={t('services.selectorValue')}
        addLabel={t('services.addSelector')} />
      <fieldset>
        <legend>{t('services.ports')}</legend>
        {errors['spec.ports'] && <div className="field-error" role="alert">{errors['spec.ports']}</div>}
        {form.ports.map((p, i) => (
          <div className="kv-row" key={i}>
            <TextField label={t('services.portName', { n: i + 1 })} value={p.name} onChange={(e) => setPort(i, { name: e.target.value })}
              error={errors[`spec.ports[${i}].name`]} />
            <TextField label={t('services.port', { n: i + 1 })} value={p.port} inputMode="numeric" onChange={(e) => setPort(i, { port: e.target.value })}
              error={errors[`spec.ports[${i}].port`]} />
            <TextField label={t('services.targetPort', { n: i + 1 })} value={p.targetPort} onChange={(e) => setPort(i, { targetPort: e.target.value })}
              error={errors[`spec.ports[${i}].targetPort`]} />
            <SelectField label={t('services.protocol', { n: i + 1 })} value={p.protocol}
              onChange={(e) => setPort(i, { protocol: e.target.value as ServicePortRow['protocol'] })}
              options={['TCP', 'UDP', 'SCTP'].map((v) => ({ value: v, label: v }))} />
            <Button variant="ghost" onClick={() => setForm({ ...form, ports: form.ports.filter((_, j) => j !== i) })} aria-label={t('kv.removeRow', { n: i + 1 })}>
              {t('common.remove')}
            </Button>
          </div>
        ))}
        <Button onClick={() => setForm({ ...form, ports: [...form.ports, { name: '', port: '', targetPort: '', protocol: 'TCP' }] })}>
          {t('services.addPort')}
        </Button>
      </fieldset>
    </Frame>
  );
}

export function DataDialog({ secret, send, onClose, onDenied }: {
  secret: boolean;
  send: (f: DataFormState) => Promise<void>;
  onClose: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<DataFormState>({ name: '', type: 'Opaque', data: [{ key: '', value: '' }] });
  const { errors, error, busy, submit } = useSubmit(validateData, send, onDenied);
  return (
    <Frame title={secret ? t('secrets.create') : t('config.create')} onClose={onClose} onSubmit={submit(form)} busy={busy}
      error={error} errors={errors} shown={['metadata.name', 'type']}>
      <div className="form-row">
        <TextField label={t('common.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={errors['metadata.name']} />
        {secret && (
          <SelectField label={t('secrets.type')} value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}
            options={secretTypes.map((v) => ({ value: v, label: v }))} error={errors.type} />
        )}
      </div>
      {secret && <p className="muted">{t('secrets.writeOnly')}</p>}
      {errors.data && <div className="field-error" role="alert">{errors.data}</div>}
      <KeyValueEditor legend={t('config.data')} rows={form.data} onChange={(data) => setForm({ ...form, data })}
        errors={under(errors, 'data')} keyLabel={t('kv.key')} valueLabel={t('kv.value')} addLabel={t('config.addEntry')}
        secret={secret} multiline={!secret} />
    </Frame>
  );
}
