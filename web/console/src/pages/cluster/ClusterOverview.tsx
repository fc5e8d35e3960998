// A cluster: phase, version, nodes, control-plane health, the preflight checks for its version, and its nodes
// (GET /api/v1/clusters/{c}/nodes, for cluster roles) with cordon / uncordon.
import { useState } from 'react';
import { useParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { clusterScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Cluster, KubeObject } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age, dateTime } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useFetch } from '../../hooks/useFetch';
import { useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { useToast } from '../../ui/Toast';
import { ClusterPhase } from '../platform/Clusters';

type Node = KubeObject<
  { unschedulable?: boolean; taints?: { key: string; effect: string }[] },
  { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string; osImage?: string } }
>;

export function nodeRoles(n: Node): string {
  const roles = Object.keys(n.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.join(', ');
}

function Nodes({ cluster }: { cluster: string }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const patch = { verb: 'patch', group: '', resource: 'nodes', scope: clusterScope(cluster) };
  const cordon = async (n: Node, on: boolean) => {
    setError(null);
    try {
      await api.post(`${paths.nodes(cluster)}/${encodeURIComponent(n.metadata.name)}/${on ? 'cordon' : 'uncordon'}`, {});
      toast('success', on ? t('nodes.cordoned', { name: n.metadata.name }) : t('nodes.uncordoned', { name: n.metadata.name }));
      setReload((x) => x + 1);
    } catch (e) {
      setError(observeError(patch, e));
    }
  };
  return (
    <section aria-labelledby="cl-nodes" style={{ marginTop: 16 }}>
      <h2 id="cl-nodes">{t('nodes.title')}</h2>
      <ErrorBanner error={error} />
      <ListPage<Node>
        label={t('nodes.title')}
        reloadKey={`${cluster}/${reload}`}
        refreshMs={15000}
        height={320}
        load={(q, signal) => api.list<Node>(paths.nodes(cluster), { ...q }, signal)}
        rowKey={(n) => n.metadata.name}
        defaultSort={{ sortBy: 'name', ascending: true }}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr', render: (n) => n.metadata.name },
          { id: 'status', header: t('workloads.status'), render: (n) => {
              const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
              return (
                <>
                  <span className={`badge ${ready ? 'badge-ok' : 'badge-bad'}`}>{ready ? t('nodes.ready') : t('nodes.notReady')}</span>
                  {n.spec?.unschedulable && <> <span className="badge badge-warn">{t('nodes.cordonedBadge')}</span></>}
                </>
              );
            } },
          { id: 'roles', header: t('nodes.roles'), render: (n) => nodeRoles(n) || '—' },
          { id: 'version', header: t('clusters.version'), render: (n) => n.status?.nodeInfo?.kubeletVersion },
          { id: 'age', header: t('common.age'), sortKey: 'creationTimestamp', render: (n) => age(n.metadata.creationTimestamp, locale) },
          { id: 'actions', header: t('common.actions'), render: (n) => (
              <Allowed request={patch}>
                {n.spec?.unschedulable ? (
                  <Button variant="ghost" onClick={() => void cordon(n, false)} aria-label={t('nodes.uncordonNamed', { name: n.metadata.name })}>
                    {t('nodes.uncordon')}
                  </Button>
                ) : (
                  <Button variant="ghost" onClick={() => void cordon(n, true)} aria-label={t('nodes.cordonNamed', { name: n.metadata.name })}>
                    {t('nodes.cordon')}
                  </Button>
                )}
              </Allowed>
            ) },
        ]}
      />
    </section>
  );
}

export default function ClusterOverview() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { c = '' } = useParams();
  const cluster = useFetch((signal) => api.get<Cluster>(paths.cluster(c), { signal }), [api, c]);
  const s = cluster.data?.status;
  return (
    <div>
      <div className="breadcrumbs">{t('nav.cluster')}: {c}</div>
      <h1>{cluster.data?.spec?.displayName || c}</h1>
      <ErrorBanner error={cluster.error} onRetry={cluster.reload} />
      {cluster.data && (
        <div className="cards detail-cards">
          <section className="card" aria-labelledby="cl-status">
            <h2 id="cl-status">{t('clusters.status')}</h2>
            <dl className="props">
              <dt>{t('clusters.phase')}</dt>
              <dd><ClusterPhase cluster={cluster.data} /></dd>
              <dt>{t('clusters.version')}</dt>
              <dd>{s?.kubernetesVersion || '—'}</dd>
              <dt>{t('clusters.nodes')}</dt>
              <dd>{s?.nodes ? t('clusters.nodesReady', { ready: s.nodes.ready ?? 0, total: s.nodes.total ?? 0 }) : '—'}</dd>
              <dt>{t('clusters.lastProbe')}</dt>
              <dd>{dateTime(s?.lastProbeTime, locale) || '—'}</dd>
              <dt>{t('clusters.source')}</dt>
              <dd>{s?.source || '—'}</dd>
            </dl>
            {s?.message && <p className="muted">{s.message}</p>}
          </section>
          <section className="card" aria-labelledby="cl-cp">
            <h2 id="cl-cp">{t('clusters.controlPlane')}</h2>
            {s?.controlPlane ? (
              <>
                <p>
                  <span className={`badge ${s.controlPlane.healthy ? 'badge-ok' : 'badge-bad'}`}>
                    {s.controlPlane.healthy ? t('clusters.healthy') : t('clusters.unhealthy')}
                  </span>{' '}
                  <span className="muted mono">{s.controlPlane.endpoint}</span>
                </p>
                {(s.controlPlane.failed ?? []).length > 0 && (
                  <ul>{s.controlPlane.failed!.map((f) => <li key={f} className="mono">{f}</li>)}</ul>
                )}
              </>
            ) : (
              <p className="muted">—</p>
            )}
          </section>
        </div>
      )}
      {s?.preflight && s.preflight.length > 0 && (
        <section aria-labelledby="cl-pre" style={{ marginTop: 16 }}>
          <h2 id="cl-pre">{t('clusters.preflight')}</h2>
          <table className="table" style={{ borderCollapse: 'collapse', width: '100%' }}>
            <thead>
              <tr>
                <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.action')}</th>
                <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.check')}</th>
                <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.result')}</th>
                <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {s.preflight.map((p) => (
                <tr key={`${p.action}/${p.check}`}>
                  <td className="td mono">{p.action}</td>
                  <td className="td mono">{p.check}</td>
                  <td className="td"><span className={`badge ${p.passed ? 'badge-ok' : 'badge-bad'}`}>{p.passed ? t('clusters.passed') : t('clusters.failed')}</span></td>
                  <td className="td" style={{ whiteSpace: 'normal' }}>{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <Allowed request={{ verb: 'list', group: '', resource: 'nodes', scope: clusterScope(c) }}>
        <Nodes cluster={c} />
      </Allowed>
    </div>
  );
}
