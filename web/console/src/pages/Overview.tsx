// Where everyone lands: the workspaces and clusters this user may see.
import { Link } from 'react-router';
import { paths } from '../api/endpoints';
import type { ListResult } from '../api/client';
import type { Cluster, Workspace } from '../api/types';
import { useApi } from '../app/context';
import { useSession } from '../auth/session';
import { ErrorBanner } from '../components/ErrorBanner';
import { useFetch } from '../hooks/useFetch';
import { useT } from '../i18n';
import { ClusterPhase } from './platform/ClusterPhase';

export default function Overview() {
  const t = useT();
  const api = useApi();
  const { session } = useSession();
  const workspaces = useFetch(
    (signal) => api.list<Workspace>(paths.workspaces, { limit: 200, sortBy: 'name', ascending: true }, signal),
    [api],
  );
  const clusters = useFetch(
    (signal) => api.list<Cluster>(paths.clusters, { limit: 200, sortBy: 'name', ascending: true }, signal),
    [api],
  );
  return (
    <div>
      <h1>{t('overview.title', { user: session?.user ?? '' })}</h1>
      <section aria-labelledby="ov-ws">
        <h2 id="ov-ws">{t('overview.workspaces')}</h2>
        <ErrorBanner error={workspaces.error} onRetry={workspaces.reload} />
        <Cards<Workspace>
          data={workspaces.data}
          loading={workspaces.loading}
          empty={t('overview.noWorkspaces')}
          render={(w) => (
            <>
              <h3 style={{ margin: 0, fontSize: 15 }}>
                <Link to={`/workspaces/${encodeURIComponent(w.metadata.name)}/projects`}>{w.metadata.name}</Link>
              </h3>
              {w.spec?.displayName && <div>{w.spec.displayName}</div>}
              <div className="muted">{t('workspaces.clustersValue', { clusters: (w.spec?.clusters ?? []).join(', ') || '—' })}</div>
            </>
          )}
        />
      </section>
      <section aria-labelledby="ov-cl" style={{ marginTop: 24 }}>
        <h2 id="ov-cl">{t('overview.clusters')}</h2>
        <ErrorBanner error={clusters.error} onRetry={clusters.reload} />
        <Cards<Cluster>
          data={clusters.data}
          loading={clusters.loading}
          empty={t('overview.noClusters')}
          render={(c) => (
            <>
              <h3 style={{ margin: 0, fontSize: 15 }}>
                <Link to={`/cluster/${encodeURIComponent(c.metadata.name)}`}>{c.metadata.name}</Link>
              </h3>
              <ClusterPhase cluster={c} />
              <div className="muted">{c.status?.kubernetesVersion}</div>
            </>
          )}
        />
      </section>
    </div>
  );
}

function Cards<T extends { metadata: { name: string } }>({ data, loading, empty, render }: {
  data: ListResult<T> | undefined;
  loading: boolean;
  empty: string;
  render: (item: T) => React.ReactNode;
}) {
  const t = useT();
  if (!data) return loading ? <div className="spinner">{t('common.loading')}</div> : null;
  if (data.items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="cards" style={{ listStyle: 'none', padding: 0 }}>
      {data.items.map((item) => (
        <li key={item.metadata.name} className="card">
          {render(item)}
        </li>
      ))}
    </ul>
  );
}
