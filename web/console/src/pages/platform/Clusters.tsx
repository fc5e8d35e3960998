// Platform > Clusters: each cluster's phase, version, nodes and control plane, from the prober; adding one by
// kubeconfig (pasted or read from a file; write-only: the server never sends it back).
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { platformScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import type { Cluster } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { checkName } from '../../components/validation';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

const createCluster = { verb: 'create', group: 'cluster.atrium.io', resource: 'clusters', scope: platformScope };
const maxKubeconfigBytes = 1 << 20;

export interface ClusterForm {
  name: string;
  displayName: string;
  kubeconfig: string;
  context: string;
}

export function validateCluster(f: ClusterForm): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const n = checkName(f.name);
  if (n) out['metadata.name'] = n;
  if (!f.kubeconfig.trim()) out['spec.kubeconfig'] = 'validation.required';
  else if (f.kubeconfig.length > maxKubeconfigBytes) out['spec.kubeconfig'] = 'clusters.kubeconfigTooLarge';
  else if (!/(^|\n)\s*clusters\s*:/.test(f.kubeconfig) && !/"clusters"\s*:/.test(f.kubeconfig)) out['spec.kubeconfig'] = 'clusters.notKubeconfig';
  if (f.context && !/^\S+$/.test(f.context)) out['spec.context'] = 'clusters.badContext';
  return out;
}

export function ClusterPhase({ cluster }: { cluster: Cluster }) {
  const { t } = useI18n();
  const phase = cluster.status?.phase ?? 'Unknown';
  const cls = phase === 'Ready' ? 'badge-ok' : phase === 'Unreachable' ? 'badge-bad' : 'badge-warn';
  const label = phase === 'Ready' ? t('clusters.ready') : phase === 'Unreachable' ? t('clusters.unreachable') : t('clusters.unknown');
  return <span className={`badge ${cls}`} title={cluster.status?.message}>{label}</span>;
}

export default function Clusters() {
  const { t, locale } = useI18n();
  const api = useApi();
  const [adding, setAdding] = useState(false);
  const [reload, setReload] = useState(0);
  return (
    <div>
      <div className="page-header">
        <h1>{t('clusters.title')}</h1>
        <Allowed request={createCluster}>
          <Button variant="primary" onClick={() => setAdding(true)}>{t('clusters.add')}</Button>
        </Allowed>
      </div>
      <ListPage<Cluster>
        label={t('clusters.title')}
        refreshMs={10000}
        reloadKey={reload}
        load={(q, signal) => api.list<Cluster>(paths.clusters, { ...q }, signal)}
        rowKey={(c) => c.metadata.name}
        emptyText={t('overview.noClusters')}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr',
            render: (c) => <Link to={`/cluster/${encodeURIComponent(c.metadata.name)}`}>{c.metadata.name}</Link> },
          { id: 'phase', header: t('clusters.phase'), render: (c) => <ClusterPhase cluster={c} /> },
          { id: 'version', header: t('clusters.version'), render: (c) => c.status?.kubernetesVersion },
          { id: 'nodes', header: t('clusters.nodes'),
            render: (c) => c.status?.nodes ? `${c.status.nodes.ready ?? 0}/${c.status.nodes.total ?? 0}` : '' },
          { id: 'source', header: t('clusters.source'), render: (c) => c.status?.source },
          { id: 'age', header: t('common.created'), sortKey: 'creationTimestamp',
            render: (c) => age(c.metadata.creationTimestamp, locale) },
        ]}
      />
      {adding && <AddClusterDialog onClose={() => setAdding(false)} onAdded={() => { setAdding(false); setReload((x) => x + 1); }} />}
    </div>
  );
}

function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

export function AddClusterDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [form, setForm] = useState<ClusterForm>({ name: '', displayName: '', kubeconfig: '', context: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const shown = ['metadata.name', 'spec.displayName', 'spec.kubeconfig', 'spec.context'];
  const readFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > maxKubeconfigBytes) {
      setErrors({ ...errors, 'spec.kubeconfig': t('clusters.kubeconfigTooLarge') });
      return;
    }
    const text = await readText(file);
    setForm((f) => ({ ...f, kubeconfig: text }));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = validateCluster(form);
    setErrors(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, t(v)])));
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.post(paths.clusters, {
        metadata: { name: form.name },
        spec: { displayName: form.displayName || undefined, kubeconfig: form.kubeconfig, context: form.context || undefined },
      });
      toast('success', t('clusters.added', { name: form.name }));
      onAdded();
    } catch (err) {
      observeError(createCluster, err);
      setBusy(false);
      setError(err);
      if (err instanceof ApiError) setErrors(err.fieldErrors());
    }
  };
  return (
    <Dialog title={t('clusters.add')} onClose={onClose} wide>
      <form onSubmit={submit} noValidate autoComplete="off">
        <ErrorBanner error={error} shownFields={shown} />
        <div className="form-row">
          <TextField label={t('common.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })}
            error={errors['metadata.name']} hint={t('validation.dnsLabelHint')} />
          <TextField label={t('common.displayName')} value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })} error={errors['spec.displayName']} />
        </div>
        <TextAreaField label={t('clusters.kubeconfig')} value={form.kubeconfig} rows={10} spellCheck={false} className="input mono"
          onChange={(e) => setForm({ ...form, kubeconfig: e.target.value })} error={errors['spec.kubeconfig']}
          hint={t('clusters.kubeconfigHint')} />
        <div className="field">
          <label htmlFor="cluster-kubeconfig-file">{t('clusters.kubeconfigFile')}</label>
          <input id="cluster-kubeconfig-file" type="file" onChange={(e) => void readFile(e)} />
        </div>
        <TextField label={t('clusters.context')} value={form.context} onChange={(e) => setForm({ ...form, context: e.target.value })}
          error={errors['spec.context']} hint={t('clusters.contextHint')} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('clusters.add')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
