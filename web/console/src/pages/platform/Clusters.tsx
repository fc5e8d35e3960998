// Platform > Clusters: each cluster's phase, version, nodes and control plane, from the prober.
import { Link } from 'react-router';
import { paths } from '../../api/endpoints';
import type { Cluster } from '../../api/types';
import { useApi } from '../../app/context';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useI18n } from '../../i18n';

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
  return (
    <div>
      <div className="page-header">
        <h1>{t('clusters.title')}</h1>
      </div>
      <ListPage<Cluster>
        label={t('clusters.title')}
        refreshMs={10000}
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
    </div>
  );
}
