// Platform > Clusters: each cluster's phase, version, nodes and control plane, from the prober; adding one by
// kubeconfig (pasted or read from a file; write-only: the server never sends it back); editing and removing one
// (clusterActions).
import { useState } from 'react';
import { Link } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { platformScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Cluster } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { checkName } from '../../components/validation';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';
import { ClusterPhase } from './ClusterPhase';
import { checkContext, checkKubeconfig, KubeconfigField, SkipVerifyField, useClusterActions } from './clusterActions';

const createCluster = { verb: 'create', group: 'cluster.atrium.io', resource: 'clusters', scope: platformScope };

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
  const k = checkKubeconfig(f.kubeconfig);
  if (k) out['spec.kubeconfig'] = k;
  const c = checkContext(f.context);
  if (c) out['spec.context'] = c;
  return out;
}

export default function Clusters() {
  const { t, locale } = useI18n();
  const api = useApi();
  const [adding, setAdding] = useState(false);
  const [reload, setReload] = useState(0);
  const changed = () => setReload((x) => x + 1);
  const actions = useClusterActions({ onSaved: changed, onRemoved: changed });
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
          { id: 'actions', header: t('common.actions'), width: '2fr', render: (c) => actions.buttons(c) },
        ]}
      />
      {adding && <AddClusterDialog onClose={() => setAdding(false)} onAdded={() => { setAdding(false); changed(); }} />}
      {actions.dialogs}
    </div>
  );
}

const addFields = ['metadata.name', 'spec.displayName', 'spec.kubeconfig', 'spec.context'];

export function AddClusterDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [f, setF] = useState<ClusterForm>({ name: '', displayName: '', kubeconfig: '', context: '' });
  const [fileError, setFileError] = useState<string | undefined>();
  const [skipVerify, setSkipVerify] = useState(false);
  const form = useForm({
    validate: () => validateCluster(f),
    send: async () => {
      await api.post(paths.unverified(paths.clusters, skipVerify), {
        metadata: { name: f.name },
        spec: { displayName: f.displayName || undefined, kubeconfig: f.kubeconfig, context: f.context || undefined },
      });
      toast('success', t('clusters.added', { name: f.name }));
      onAdded();
    },
    onError: (e) => observeError(createCluster, e),
    fields: addFields,
  });
  return (
    <Dialog title={t('clusters.add')} onClose={onClose} wide>
      <form onSubmit={form.onSubmit} noValidate autoComplete="off">
        <ErrorBanner error={form.error} shownFields={form.placed} />
        <div className="form-row">
          <TextField label={t('common.name')} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })}
            error={form.errors['metadata.name']} hint={t('validation.dnsLabelHint')} />
          <TextField label={t('common.displayName')} value={f.displayName} maxLength={128}
            onChange={(e) => setF({ ...f, displayName: e.target.value })} error={form.errors['spec.displayName']} />
        </div>
        <KubeconfigField label={t('clusters.kubeconfig')} fileLabel={t('clusters.kubeconfigFile')}
          hint={t('clusters.kubeconfigHint')} value={f.kubeconfig}
          onChange={(kubeconfig) => { setFileError(undefined); setF((x) => ({ ...x, kubeconfig })); }}
          error={fileError ?? form.errors['spec.kubeconfig']} onFileError={setFileError} />
        <TextField label={t('clusters.context')} value={f.context} onChange={(e) => setF({ ...f, context: e.target.value })}
          error={form.errors['spec.context']} hint={t('clusters.contextHint')} />
        <SkipVerifyField checked={skipVerify} onChange={setSkipVerify} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={form.busy}>{t('clusters.add')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
