// What can be done to a registered cluster (src/api/cluster_routes.h), shared by the clusters list and the
// cluster's page: edit (PUT /api/v1/clusters/{c}: display name, description, labels, context and, when one is
// given, a new kubeconfig; the form starts from a fresh GET and sends its resourceVersion back, so a change made
// meanwhile is a 409, not lost) and remove (DELETE, confirmed by typing the name). Clusters from the server's
// configuration (status.source "configuration") cannot be changed over the API: no controls for them.
import { useEffect, useId, useRef, useState, type ChangeEvent, type ReactNode } from 'react';
import { Allowed, useAccess } from '../../access/context';
import { type AccessRequest, clusterScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import type { Cluster } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { causeRow, checkLabelKey, checkLabelValue, type KeyValue, toMap, toRows, validateRows } from '../../components/keyValues';
import { useForm } from '../../components/useForm';
import { useFetch } from '../../hooks/useFetch';
import { type MessageKey, useI18n } from '../../i18n';
import { Banner } from '../../ui/Banner';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

// The server's question for PUT and DELETE /api/v1/clusters/{c}: the route's verb on clusters, in the scope of
// that cluster (a platform role covers every cluster).
export const clusterAccess = (verb: 'update' | 'delete', cluster: string): AccessRequest => ({
  verb,
  group: 'cluster.atrium.io',
  resource: 'clusters',
  scope: clusterScope(cluster),
});

export const fromConfiguration = (c: Cluster) => c.status?.source === 'configuration';

// spec.kubeconfig's limit in the server's schema (src/kube/cluster.cc).
export const maxKubeconfigBytes = 512 * 1024;

export function checkKubeconfig(text: string): MessageKey | null {
  if (!text.trim()) return 'validation.required';
  if (text.length > maxKubeconfigBytes) return 'clusters.kubeconfigTooLarge';
  if (!/(^|\n)\s*clusters\s*:/.test(text) && !/"clusters"\s*:/.test(text)) return 'clusters.notKubeconfig';
  return null;
}

export const checkContext = (context: string): MessageKey | null =>
  context && !/^\S+$/.test(context) ? 'clusters.badContext' : null;

function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

// A kubeconfig pasted or read from a file (write-only: the server never sends one back).
export function KubeconfigField({ label, fileLabel, hint, value, onChange, error, onFileError }: {
  label: string;
  fileLabel: string;
  hint: string;
  value: string;
  onChange: (text: string) => void;
  error?: string;
  onFileError: (message: string) => void;
}) {
  const { t } = useI18n();
  const fileId = useId();
  const readFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > maxKubeconfigBytes) {
      onFileError(t('clusters.kubeconfigTooLarge'));
      return;
    }
    try {
      onChange(await readText(file));
    } catch (err) {
      onFileError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <TextAreaField label={label} value={value} rows={10} spellCheck={false} className="input mono"
        onChange={(e) => onChange(e.target.value)} error={error} hint={hint} />
      <div className="field">
        <label htmlFor={fileId}>{fileLabel}</label>
        <input id={fileId} type="file" onChange={(e) => void readFile(e)} />
      </div>
    </>
  );
}

export interface ClusterEditForm {
  displayName: string;
  description: string;
  context: string;
  kubeconfig: string; // empty: keep the stored one
  labels: KeyValue[];
}

export const editFormOf = (c: Cluster): ClusterEditForm => ({
  displayName: c.spec?.displayName ?? '',
  description: c.spec?.description ?? '',
  context: c.spec?.context ?? '',
  kubeconfig: '',
  labels: toRows(c.metadata.labels),
});

// Checks before sending; label rows are "labels.{row}.key" / "labels.{row}.value".
export function validateClusterEdit(f: ClusterEditForm): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  if (f.kubeconfig.trim()) {
    const k = checkKubeconfig(f.kubeconfig);
    if (k) out['spec.kubeconfig'] = k;
  }
  const c = checkContext(f.context);
  if (c) out['spec.context'] = c;
  for (const [k, v] of Object.entries(validateRows(f.labels, checkLabelKey, checkLabelValue))) out[`labels.${k}`] = v;
  return out;
}

// The PUT body: the whole object as it is to be (labels and annotations replace the stored ones), with the
// resourceVersion it was read at; the kubeconfig only when a new one is given.
export function clusterUpdate(c: Cluster, f: ClusterEditForm) {
  return {
    apiVersion: 'cluster.atrium.io/v1',
    kind: 'Cluster',
    metadata: {
      name: c.metadata.name,
      resourceVersion: c.metadata.resourceVersion,
      labels: toMap(f.labels),
      ...(c.metadata.annotations ? { annotations: c.metadata.annotations } : {}),
    },
    spec: {
      displayName: f.displayName.trim(),
      description: f.description.trim(),
      context: f.context.trim(),
      ...(f.kubeconfig.trim() ? { kubeconfig: f.kubeconfig } : {}),
    },
  };
}

const specFields = ['spec.displayName', 'spec.description', 'spec.context', 'spec.kubeconfig'];

// "Save even if the cluster does not answer now": the request carries ?verify=false, and the cluster is shown
// Unreachable until it answers (for a cluster that is down while its credentials or address change).
export function SkipVerifyField({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} aria-describedby={`${id}-hint`}
          onChange={(e) => onChange(e.target.checked)} />{' '}
        {t('clusters.skipVerify')}
      </label>
      <div className="field-hint" id={`${id}-hint`}>{t('clusters.skipVerifyHint')}</div>
    </div>
  );
}

function EditClusterForm({ cluster, onReload, onClose, onSaved }: {
  cluster: Cluster;
  onReload: () => void;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const name = cluster.metadata.name;
  const [f, setF] = useState<ClusterEditForm>(() => editFormOf(cluster));
  const [fileError, setFileError] = useState<string | undefined>();
  const [skipVerify, setSkipVerify] = useState(false);
  // Only a new kubeconfig or context reconnects, so only then does the cluster have to answer.
  const reconnects = f.kubeconfig.trim() !== '' || f.context.trim() !== (cluster.spec?.context ?? '');
  const form = useForm({
    validate: () => validateClusterEdit(f),
    send: async () => {
      await api.put(paths.unverified(paths.cluster(name), reconnects && skipVerify), clusterUpdate(cluster, f));
      toast('success', t('clusters.saved', { name }));
      onSaved();
    },
    onError: (e) => observeError(clusterAccess('update', name), e),
    fields: (field) => {
      if (specFields.includes(field)) return field;
      if (!field.startsWith('metadata.labels')) return null;
      const i = causeRow(f.labels, field);
      return i >= 0 ? `labels.${i}.key` : null;
    },
  });
  // The form appears after the dialog opened (and again after a reload): focus its first field.
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('input:not([disabled]), textarea:not([disabled])')?.focus();
  }, []);
  const labelErrors = Object.fromEntries(
    Object.entries(form.errors).filter(([k]) => k.startsWith('labels.')).map(([k, v]) => [k.slice('labels.'.length), v]),
  );
  const conflict = form.error instanceof ApiError && form.error.status === 409 ? form.error : null;
  return (
    <form ref={ref} onSubmit={form.onSubmit} noValidate autoComplete="off">
      {conflict ? (
        <Banner tone="warning" title={t('clusters.conflict')}
          action={<Button onClick={onReload}>{t('clusters.reloadLatest')}</Button>}>
          <p>{t('clusters.conflictBody')}</p>
          <p className="muted">{conflict.message}</p>
        </Banner>
      ) : (
        <ErrorBanner error={form.error} shownFields={form.placed} />
      )}
      <div className="form-row">
        <TextField label={t('common.name')} value={name} disabled />
        <TextField label={t('common.displayName')} value={f.displayName} maxLength={128}
          onChange={(e) => setF({ ...f, displayName: e.target.value })} error={form.errors['spec.displayName']} />
      </div>
      <TextAreaField label={t('clusters.description')} value={f.description} rows={2} maxLength={1024}
        onChange={(e) => setF({ ...f, description: e.target.value })} error={form.errors['spec.description']} />
      <KeyValueEditor legend={t('detail.labels')} rows={f.labels} onChange={(labels) => setF({ ...f, labels })}
        errors={labelErrors} keyLabel={t('kv.key')} valueLabel={t('kv.value')} addLabel={t('nodes.addLabel')} />
      <TextField label={t('clusters.context')} value={f.context} onChange={(e) => setF({ ...f, context: e.target.value })}
        error={form.errors['spec.context']} hint={t('clusters.contextEditHint')} />
      <KubeconfigField label={t('clusters.newKubeconfig')} fileLabel={t('clusters.newKubeconfigFile')}
        hint={t('clusters.newKubeconfigHint')} value={f.kubeconfig}
        onChange={(kubeconfig) => { setFileError(undefined); setF((x) => ({ ...x, kubeconfig })); }}
        error={fileError ?? form.errors['spec.kubeconfig']} onFileError={setFileError} />
      {reconnects && <SkipVerifyField checked={skipVerify} onChange={setSkipVerify} />}
      <div className="form-actions">
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="submit" variant="primary" busy={form.busy}>{t('common.save')}</Button>
      </div>
    </form>
  );
}

// Reads the cluster, then offers the form; a conflict offers to read it again (the form is filled anew).
export function EditClusterDialog({ name, onClose, onSaved }: { name: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const cluster = useFetch((signal) => api.get<Cluster>(paths.cluster(name), { signal }), [api, name]);
  const c = cluster.data;
  return (
    <Dialog title={t('clusters.editTitle', { name })} onClose={onClose} wide>
      <ErrorBanner error={cluster.error} onRetry={cluster.reload} />
      {!c && !cluster.error && <div className="spinner">{t('common.loading')}</div>}
      {!c && cluster.error !== undefined && (
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.close')}</Button>
        </div>
      )}
      {c && <EditClusterForm key={c.metadata.resourceVersion ?? ''} cluster={c} onReload={cluster.reload} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

export function RemoveClusterDialog({ name, onClose, onRemoved }: { name: string; onClose: () => void; onRemoved: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  return (
    <ConfirmDialog
      title={t('clusters.removeTitle', { name })}
      body={<p>{t('clusters.removeBody', { name })}</p>}
      typeToConfirm={name}
      confirmLabel={t('clusters.remove')}
      onClose={onClose}
      onConfirm={async () => {
        try {
          await api.delete(paths.cluster(name));
        } catch (e) {
          throw observeError(clusterAccess('delete', name), e);
        }
        toast('success', t('clusters.removed', { name }));
        onRemoved();
      }}
    />
  );
}

// Edit and Remove for one cluster (each shown once the server allows it), and the dialogs they open.
export function useClusterActions({ onSaved, onRemoved }: { onSaved: (name: string) => void; onRemoved: (name: string) => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const buttons = (c: Cluster, { named = true }: { named?: boolean } = {}): ReactNode => {
    if (fromConfiguration(c)) return null;
    const name = c.metadata.name;
    return (
      <span className="row-actions">
        <Allowed request={clusterAccess('update', name)}>
          <Button variant={named ? 'ghost' : 'secondary'} onClick={() => setEditing(name)}
            aria-label={named ? t('clusters.editNamed', { name }) : undefined}>
            {t('clusters.edit')}
          </Button>
        </Allowed>
        <Allowed request={clusterAccess('delete', name)}>
          <Button variant={named ? 'ghost' : 'danger'} onClick={() => setRemoving(name)}
            aria-label={named ? t('clusters.removeNamed', { name }) : undefined}>
            {t('clusters.remove')}
          </Button>
        </Allowed>
      </span>
    );
  };
  const dialogs = (
    <>
      {editing && (
        <EditClusterDialog name={editing} onClose={() => setEditing(null)}
          onSaved={() => { setEditing(null); onSaved(editing); }} />
      )}
      {removing && <RemoveClusterDialog name={removing} onClose={() => setRemoving(null)} onRemoved={() => onRemoved(removing)} />}
    </>
  );
  return { buttons, dialogs };
}
