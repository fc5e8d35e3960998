// "Create from form" for Services, ConfigMaps and Secrets of a project (the YAML page stays for the rest).
// Secret values are typed into password fields and sent as stringData; nothing is read back into the form.
import { useState, type ReactNode } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { type FormState, useForm } from '../../components/useForm';
import { useI18n } from '../../i18n';
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

// The dialog around either form: the failure (causes no field shows), the fields, Cancel and Create.
function Frame({ title, form, onClose, children }: { title: string; form: FormState; onClose: () => void; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form onSubmit={form.onSubmit} noValidate autoComplete="off">
        <ErrorBanner error={form.error} shownFields={form.placed} />
        {children}
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={form.busy}>{t('common.create')}</Button>
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

// Where the apiserver's cause on a Service is shown: the name, the type, the ports (none given) and each port's
// name, number and target; the rest (the selector, a port's protocol) in the banner.
const serviceField = (ports: number) => (field: string): string | null => {
  if (['metadata.name', 'spec.type', 'spec.ports'].includes(field)) return field;
  const m = /^spec\.ports\[(\d+)\]\.(name|port|targetPort)$/.exec(field);
  return m && Number(m[1]) < ports ? field : null;
};

export function ServiceDialog({ send, onClose, onDenied }: {
  send: (f: ServiceFormState) => Promise<void>;
  onClose: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const [f, setF] = useState<ServiceFormState>(emptyService);
  const form = useForm({ validate: () => validateService(f), send: () => send(f), onError: onDenied, fields: serviceField(f.ports.length) });
  const { errors } = form;
  const setPort = (i: number, p: Partial<ServicePortRow>) => setF({ ...f, ports: f.ports.map((x, j) => (j === i ? { ...x, ...p } : x)) });
  return (
    <Frame title={t('services.create')} form={form} onClose={onClose}>
      <div className="form-row">
        <TextField label={t('common.name')} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })}
          error={errors['metadata.name']} hint={t('validation.dnsLabelHint')} />
        <SelectField label={t('services.type')} value={f.type} onChange={(e) => setF({ ...f, type: e.target.value as ServiceFormState['type'] })}
          options={['ClusterIP', 'NodePort', 'LoadBalancer'].map((v) => ({ value: v, label: v }))} error={errors['spec.type']} />
      </div>
      <KeyValueEditor legend={t('services.selector')} rows={f.selector} onChange={(selector) => setF({ ...f, selector })}
        errors={under(errors, 'selector')} keyLabel={t('services.selectorKey')} valueLabel={t('services.selectorValue')}
        addLabel={t('services.addSelector')} />
      <fieldset>
        <legend>{t('services.ports')}</legend>
        {errors['spec.ports'] && <div className="field-error" role="alert">{errors['spec.ports']}</div>}
        {f.ports.map((p, i) => (
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
            <Button variant="ghost" onClick={() => setF({ ...f, ports: f.ports.filter((_, j) => j !== i) })} aria-label={t('kv.removeRow', { n: i + 1 })}>
              {t('common.remove')}
            </Button>
          </div>
        ))}
        <Button onClick={() => setF({ ...f, ports: [...f.ports, { name: '', port: '', targetPort: '', protocol: 'TCP' }] })}>
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
  const [f, setF] = useState<DataFormState>({ name: '', type: 'Opaque', data: [{ key: '', value: '' }] });
  const form = useForm({ validate: () => validateData(f), send: () => send(f), onError: onDenied, fields: ['metadata.name', 'type', 'data'] });
  const { errors } = form;
  return (
    <Frame title={secret ? t('secrets.create') : t('config.create')} form={form} onClose={onClose}>
      <div className="form-row">
        <TextField label={t('common.name')} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })}
          error={errors['metadata.name']} />
        {secret && (
          <SelectField label={t('secrets.type')} value={f.type} onChange={(e) => setF({ ...f, type: e.target.value })}
            options={secretTypes.map((v) => ({ value: v, label: v }))} error={errors.type} />
        )}
      </div>
      {secret && <p className="muted">{t('secrets.writeOnly')}</p>}
      {errors.data && <div className="field-error" role="alert">{errors.data}</div>}
      <KeyValueEditor legend={t('config.data')} rows={f.data} onChange={(data) => setF({ ...f, data })}
        errors={under(errors, 'data')} keyLabel={t('kv.key')} valueLabel={t('kv.value')} addLabel={t('config.addEntry')}
        secret={secret} multiline={!secret} />
    </Frame>
  );
}
