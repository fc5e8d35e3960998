// Workspace > Quotas: the workspace's quota on each cluster (the sum its projects' quotas may not exceed).
import { useParams } from 'react-router';
import { paths } from '../../api/endpoints';
import type { Workspace } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useFetch } from '../../hooks/useFetch';
import { useI18n } from '../../i18n';

export default function Quotas() {
  const { t } = useI18n();
  const api = useApi();
  const { ws = '' } = useParams();
  const w = useFetch((signal) => api.get<Workspace>(paths.workspace(ws), { signal }), [api, ws]);
  const quotas = w.data?.spec?.quotas ?? [];
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
