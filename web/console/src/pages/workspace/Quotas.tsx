// Workspace > Quotas: the workspace's quota on each cluster (the sum its projects' quotas may not exceed), and
// editing it (PATCH spec.quotas: the whole list is replaced; a cluster without an entry is not limited).
import { useState } from 'react';
import { useParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { workspaceScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Quantities, Workspace } from '../../api/types';
import { useApi } from '../../app/context';
import { Button } from '../../ui/Button';
import { useToast } from '../../ui/Toast';
import { QuotaDialog } from './QuotaDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useFetch } from '../../hooks/useFetch';
import { useI18n } from '../../i18n';

export default function Quotas() {
  const { t } = useI18n();
  const api = useApi();
  const { ws = '' } = useParams();
  const w = useFetch((signal) => api.get<Workspace>(paths.workspace(ws), { signal }), [api, ws]);
  const quotas = w.data?.spec?.quotas ?? [];
  const toast = useToast();
  const { observeError } = useAccess();
  const [editing, setEditing] = useState<string | null>(null);
  const patch = { verb: 'patch', group: 'tenant.atrium.io', resource: 'workspaces', scope: workspaceScope(ws) };
  const save = async (cluster: string, hard: Quantities) => {
    const next = quotas.filter((q) => q.cluster !== cluster);
    if (Object.keys(hard).length) next.push({ cluster, hard });
    await api.patch(paths.workspace(ws), { spec: { quotas: next } });
    toast('success', t('quotas.saved', { name: `${ws} / ${cluster}` }));
    setEditing(null);
    w.reload();
  };
  return (
    <div>
      <div className="breadcrumbs">{t('nav.workspace')}: {ws}</div>
      <h1>{t('quotas.title')}</h1>
      <ErrorBanner error={w.error} onRetry={w.reload} />
      {w.data && (
        <dl className="props" style={{ marginBottom: 16 }}>
          <dt>{t('workspaces.clusters')}</dt>
          <dd>{(w.data.spec?.clusters ?? []).join(', ') || '—'}</dd>
          <dt>{t('workspaces.manager')}</dt>
          <dd>{w.data.spec?.manager || '—'}</dd>
        </dl>
      )}
      {w.data && quotas.length === 0 && <p className="muted">{t('quotas.none')}</p>}
      {w.data && (w.data.spec?.clusters ?? []).length > 0 && (
        <Allowed request={patch}>
          <div className="form-actions" style={{ marginBottom: 12 }}>
            {(w.data.spec?.clusters ?? []).map((c) => (
              <Button key={c} onClick={() => setEditing(c)}>{t('quotas.editCluster', { cluster: c })}</Button>
            ))}
          </div>
        </Allowed>
      )}
      {editing && (
        <QuotaDialog title={t('quotas.editCluster', { cluster: editing })} hard={quotas.find((q) => q.cluster === editing)?.hard}
          onClose={() => setEditing(null)} onDenied={(e) => observeError(patch, e)} save={(hard) => save(editing, hard)} />
      )}
      {quotas.length > 0 && (
        <table className="table" style={{ borderCollapse: 'collapse', minWidth: 420 }}>
          <caption className="visually-hidden">{t('quotas.title')}</caption>
          <thead>
            <tr>
              <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('projects.cluster')}</th>
              <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('quotas.resource')}</th>
              <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('quotas.hard')}</th>
            </tr>
          </thead>
          <tbody>
            {quotas.flatMap((q) =>
              Object.entries(q.hard).map(([k, v]) => (
                <tr key={`${q.cluster}/${k}`}>
                  <td className="td">{q.cluster}</td>
                  <td className="td mono">{k}</td>
                  <td className="td mono">{v}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
