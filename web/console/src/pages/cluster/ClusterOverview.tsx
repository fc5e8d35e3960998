// A cluster: phase, version, nodes, control-plane health, the preflight checks for its version (and running
// them for one action), its nodes (GET /api/v1/clusters/{c}/nodes, for cluster roles) with cordon / uncordon,
// drain, labels and taints, its namespaces (which project owns each) and its members (cluster roles); editing
// and removing the cluster itself (platform/clusterActions).
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { type AccessRequest, clusterScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import type { Cluster, KubeObject, PreflightCheck, PreflightResult } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age, dateTime } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useFetch } from '../../hooks/useFetch';
import { useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { useToast } from '../../ui/Toast';
import { SelectField } from '../../ui/Field';
import { fromConfiguration, useClusterActions } from '../platform/clusterActions';
import { ClusterPhase } from '../platform/ClusterPhase';
import { MembersView } from '../workspace/Members';
import { DrainDialog, LabelsDialog, type Node, TaintsDialog } from './NodeActions';

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
  const [dialog, setDialog] = useState<{ kind: 'drain' | 'labels' | 'taints'; node: Node } | null>(null);
  const patch = { verb: 'patch', group: '', resource: 'nodes', scope: clusterScope(cluster) };
  const evict = { verb: 'create', group: '', resource: 'pods/eviction', scope: clusterScope(cluster) };
  const close = () => setDialog(null);
  const saved = () => { setDialog(null); setReload((x) => x + 1); };
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
          { id: 'actions', header: t('common.actions'), width: '4fr', render: (n) => (
              <Allowed request={patch}>
                <Button variant="ghost" onClick={() => setDialog({ kind: 'labels', node: n })} aria-label={t('nodes.labelsOf', { name: n.metadata.name })}>
                  {t('nodes.labels')}
                </Button>
                <Button variant="ghost" onClick={() => setDialog({ kind: 'taints', node: n })} aria-label={t('nodes.taintsOf', { name: n.metadata.name })}>
                  {t('nodes.taints')}
                </Button>
                <Allowed request={evict}>
                  <Button variant="ghost" onClick={() => setDialog({ kind: 'drain', node: n })} aria-label={t('nodes.drainNamed', { name: n.metadata.name })}>
                    {t('nodes.drain')}
                  </Button>
                </Allowed>
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
      {dialog?.kind === 'drain' && (
        <DrainDialog cluster={cluster} node={dialog.node.metadata.name} onClose={close}
          onDone={() => setReload((x) => x + 1)} onDenied={(e) => observeError(evict, e)} />
      )}
      {dialog?.kind === 'labels' && (
        <LabelsDialog cluster={cluster} node={dialog.node} onClose={close} onSaved={saved} onDenied={(e) => observeError(patch, e)} />
      )}
      {dialog?.kind === 'taints' && (
        <TaintsDialog cluster={cluster} node={dialog.node} onClose={close} onSaved={saved} onDenied={(e) => observeError(patch, e)} />
      )}
    </section>
  );
}

type Namespace = KubeObject<Record<string, unknown>, { phase?: string }>;

function Namespaces({ cluster }: { cluster: string }) {
  const { t, locale } = useI18n();
  const api = useApi();
  return (
    <section aria-labelledby="cl-ns" style={{ marginTop: 16 }}>
      <h2 id="cl-ns">{t('namespaces.title')}</h2>
      <ListPage<Namespace>
        label={t('namespaces.title')}
        reloadKey={cluster}
        height={320}
        load={(q, signal) => api.list<Namespace>(paths.clusterNamespaces(cluster), { ...q }, signal)}
        rowKey={(n) => n.metadata.name}
        defaultSort={{ sortBy: 'name', ascending: true }}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr', render: (n) => n.metadata.name },
          { id: 'status', header: t('workloads.status'), render: (n) => n.status?.phase },
          { id: 'workspace', header: t('namespaces.workspace'), width: '2fr', render: (n) => {
              const ws = n.metadata.labels?.['atrium.io/workspace'];
              return ws ? <Link to={`/workspaces/${encodeURIComponent(ws)}/projects`}>{ws}</Link> : '—';
            } },
          { id: 'project', header: t('namespaces.project'), width: '2fr', render: (n) => {
              const ws = n.metadata.labels?.['atrium.io/workspace'];
              const p = n.metadata.labels?.['atrium.io/project'];
              return ws && p ? <Link to={`/workspaces/${encodeURIComponent(ws)}/projects/${encodeURIComponent(p)}/workloads`}>{p}</Link> : '—';
            } },
          { id: 'age', header: t('common.age'), sortKey: 'creationTimestamp', render: (n) => age(n.metadata.creationTimestamp, locale) },
        ]}
      />
    </section>
  );
}

// The actions the server's preflight table knows (src/kube/preflight.cc); it answers 422 listing them if this
// list falls behind.
export const preflightActions = [
  'apply-crd-int-or-string',
  'create-cronjob-batch-v1',
  'create-ingress-networking-v1',
  'exec-terminal',
  'server-side-apply',
];

function PreflightTable({ checks }: { checks: PreflightCheck[] }) {
  const { t } = useI18n();
  return (
    <table className="table" style={{ borderCollapse: 'collapse', width: '100%' }}>
      <caption className="visually-hidden">{t('clusters.preflight')}</caption>
      <thead>
        <tr>
          <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.action')}</th>
          <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.check')}</th>
          <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.result')}</th>
          <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('clusters.reason')}</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((p) => (
          <tr key={`${p.action}/${p.check}`}>
            <td className="td mono">{p.action}</td>
            <td className="td mono">{p.check}</td>
            <td className="td"><span className={`badge ${p.passed ? 'badge-ok' : 'badge-bad'}`}>{p.passed ? t('clusters.passed') : t('clusters.failed')}</span></td>
            <td className="td" style={{ whiteSpace: 'normal' }}>{p.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunPreflight({ cluster }: { cluster: string }) {
  const { t } = useI18n();
  const api = useApi();
  const { observeError } = useAccess();
  const req: AccessRequest = { verb: 'create', group: 'cluster.atrium.io', resource: 'clusters/preflight', scope: clusterScope(cluster) };
  const [action, setAction] = useState(preflightActions[0]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PreflightResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.post<PreflightResult>(paths.clusterPreflight(cluster), { action }));
    } catch (e) {
      setError(observeError(req, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Allowed request={req}>
      <div className="form-row" style={{ alignItems: 'flex-end' }}>
        <SelectField label={t('clusters.preflightAction')} value={action} onChange={(e) => setAction(e.target.value)}
          options={preflightActions.map((a) => ({ value: a, label: a }))} />
        <div className="field" style={{ flex: '0 0 auto' }}><Button onClick={() => void run()} busy={busy}>{t('clusters.runPreflight')}</Button></div>
      </div>
      {error instanceof ApiError && error.status === 412 ? (
        <div role="status"><span className="badge badge-bad">{t('clusters.preflightRefused')}</span> <ErrorBanner error={error} /></div>
      ) : (
        <ErrorBanner error={error} />
      )}
      {result && (
        <div role="status">
          <p><span className="badge badge-ok">{t('clusters.preflightAllowed')}</span> {t('clusters.preflightOn', { action: result.action, version: result.kubernetesVersion })}</p>
          <PreflightTable checks={result.checks} />
        </div>
      )}
    </Allowed>
  );
}

export default function ClusterOverview() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { c = '' } = useParams();
  const navigate = useNavigate();
  const cluster = useFetch((signal) => api.get<Cluster>(paths.cluster(c), { signal }), [api, c]);
  const actions = useClusterActions({ onSaved: cluster.reload, onRemoved: () => navigate('/platform/clusters') });
  const s = cluster.data?.status;
  const labels = Object.entries(cluster.data?.metadata.labels ?? {});
  return (
    <div>
      <div className="breadcrumbs">{t('nav.cluster')}: {c}</div>
      <div className="page-header">
        <h1>{cluster.data?.spec?.displayName || c}</h1>
        {cluster.data && actions.buttons(cluster.data, { named: false })}
      </div>
      <ErrorBanner error={cluster.error} onRetry={cluster.reload} />
      {cluster.data && fromConfiguration(cluster.data) && <p className="muted">{t('clusters.fromConfiguration')}</p>}
      {cluster.data?.spec?.description && <p>{cluster.data.spec.description}</p>}
      {labels.length > 0 && (
        <ul className="chips" aria-label={t('detail.labels')}>
          {labels.map(([k, v]) => <li key={k} className="badge mono">{`${k}=${v}`}</li>)}
        </ul>
      )}
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
      {cluster.data && (
        <section aria-labelledby="cl-pre" style={{ marginTop: 16 }}>
          <h2 id="cl-pre">{t('clusters.preflight')}</h2>
          {s?.preflight && s.preflight.length > 0 && <PreflightTable checks={s.preflight} />}
          <RunPreflight cluster={c} />
        </section>
      )}
      <Allowed request={{ verb: 'list', group: '', resource: 'nodes', scope: clusterScope(c) }}>
        <Nodes cluster={c} />
      </Allowed>
      <Allowed request={{ verb: 'list', group: '', resource: 'namespaces', scope: clusterScope(c) }}>
        <Namespaces cluster={c} />
      </Allowed>
      <Allowed request={{ verb: 'list', group: 'iam.atrium.io', resource: 'clustermembers', scope: clusterScope(c) }}>
        <section style={{ marginTop: 16 }}>
          <MembersView section height={240} listPath={paths.clusterMembers(c)} itemPath={(id) => paths.clusterMember(c, id)}
            rolesPath={paths.roles} roleLevel="cluster"
            manage={(verb) => ({ verb, group: 'iam.atrium.io', resource: 'clustermembers', scope: clusterScope(c) })} />
        </section>
      </Allowed>
      {actions.dialogs}
    </div>
  );
}
