// One workload (Deployment, StatefulSet, DaemonSet), kept live by the watch: its state and conditions, its
// pods (by its selector), its revisions with roll back to a chosen one, and its events. Scale,
// restart and delete as in the list.
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { paths } from '../../api/endpoints';
import type { KubeEvent, KubeObject } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age, dateTime } from '../../components/format';
import { type Column, ListPage } from '../../components/ListPage';
import { useFetch } from '../../hooks/useFetch';
import { useLiveList } from '../../hooks/useLiveList';
import { useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Banner } from '../../ui/Banner';
import { Button } from '../../ui/Button';
import { Tabs } from '../../ui/Tabs';
import { useToast } from '../../ui/Toast';
import NotFound from '../NotFound';
import { useObjectActions, withDetail } from './actions';
import { columnsFor, kindGroups } from './kinds';
import { useProject } from './ProjectLayout';

type Any = KubeObject & Record<string, unknown>;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

// A Kubernetes LabelSelector as the list API's labelSelector parameter.
export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface Revision {
  revision: number;
  replicaSet?: string;
  controllerRevision?: string;
  images?: string[];
  changeCause?: string;
  creationTimestamp?: string;
  current?: boolean;
}

// POST …/rollback answers {"kind":"DeploymentRollback"|"StatefulSetRollback"|…, "revision", "replicaSet" or
// "controllerRevision", "changed", "message"}.
interface RollbackAnswer {
  revision?: number;
  changed?: boolean;
  message?: string;
}

interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  strategy?: { type?: string };
  updateStrategy?: { type?: string };
  paused?: boolean;
  template?: { spec?: { containers?: { name: string; image: string }[] } };
}
interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  conditions?: Condition[];
  observedGeneration?: number;
}

export default function WorkloadDetail() {
  const { t, locale } = useI18n();
  const { resource = '', name = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const project = useProject();
  const kind = kindGroups.workloads.kinds.find((k) => k.resource === resource);
  const base = projectBase(project.workspace, project.project);
  const live = useLiveList<Any>(kind && withDetail.has(resource) ? paths.objects(project.cluster, project.namespace, resource) : null, { name });
  const object = live.items.find((o) => o.metadata.name === name);
  const actions = useObjectActions(kind ?? kindGroups.workloads.kinds[0], {
    onDeleted: () => navigate(`${base}/workloads?kind=${encodeURIComponent(resource)}`),
  });
  if (!kind || !withDetail.has(resource)) return <NotFound />;

  const spec = (object?.spec ?? {}) as WorkloadSpec;
  const status = (object?.status ?? {}) as WorkloadStatus;
  const tab = search.get('tab') ?? 'overview';
  const tabs = [
    { id: 'overview', label: t('detail.overview') },
    { id: 'pods', label: t('nav.pods') },
    { id: 'revisions', label: t('detail.revisions') },
    { id: 'events', label: t('nav.events') },
  ];
  const desired = resource === 'daemonsets' ? status.desiredNumberScheduled ?? 0 : spec.replicas ?? 0;
  const ready = resource === 'daemonsets' ? status.numberReady ?? 0 : status.readyReplicas ?? 0;

  return (
    <div>
      <div className="breadcrumbs">
        <Link to={`${base}/workloads?kind=${encodeURIComponent(resource)}`}>{t(kind.label)}</Link> · {project.project}
      </div>
      <div className="page-header">
        <h1>{name}</h1>
        {object && (
          <span className="row-actions">
            <Allowed request={actions.requestFor('patch')}>
              <Link className="btn btn-secondary" to={`${base}/apply?from=${encodeURIComponent(`${resource}/${name}`)}`}>
                {t('apply.edit')}
              </Link>
            </Allowed>
            {actions.buttons(object, { withLabels: true })}
          </span>
        )}
      </div>
      <ErrorBanner error={live.error ?? actions.error} onRetry={live.reconnect} />
      {live.synced && !object && <Banner tone="warning" title={t('detail.gone', { name })} />}
      {object && (
        <Tabs label={t('detail.sections', { name })} items={tabs} selected={tab}
          onSelect={(id) => setSearch({ tab: id }, { replace: true })}>
          {tab === 'overview' && (
            <div className="cards detail-cards">
              <section className="card" aria-labelledby="wd-state">
                <h2 id="wd-state">{t('detail.state')}</h2>
                <dl className="props">
                  <dt>{t('detail.kind')}</dt>
                  <dd>{object.kind ?? t(kind.label)}</dd>
                  <dt>{t('workloads.ready')}</dt>
                  <dd>{`${ready}/${desired}`}</dd>
                  {resource !== 'daemonsets' && (
                    <>
                      <dt>{t('detail.updated')}</dt>
                      <dd>{status.updatedReplicas ?? 0}</dd>
                      <dt>{t('detail.available')}</dt>
                      <dd>{status.availableReplicas ?? 0}</dd>
                    </>
                  )}
                  <dt>{t('detail.strategy')}</dt>
                  <dd>{spec.strategy?.type ?? spec.updateStrategy?.type ?? '—'}</dd>
                  <dt>{t('workloads.images')}</dt>
                  <dd className="mono">{(spec.template?.spec?.containers ?? []).map((c) => c.image).join(', ')}</dd>
                  <dt>{t('detail.selector')}</dt>
                  <dd className="mono">{selectorString(spec.selector) || '—'}</dd>
                  <dt>{t('common.created')}</dt>
                  <dd>{dateTime(object.metadata.creationTimestamp, locale)}</dd>
                  {spec.paused && (
                    <>
                      <dt>{t('detail.paused')}</dt>
                      <dd>{t('detail.yes')}</dd>
                    </>
                  )}
                </dl>
              </section>
              <section className="card" aria-labelledby="wd-labels">
                <h2 id="wd-labels">{t('detail.labels')}</h2>
                <ul className="chips">
                  {Object.entries(object.metadata.labels ?? {}).map(([k, v]) => (
                    <li key={k} className="badge mono">{`${k}=${v}`}</li>
                  ))}
                </ul>
              </section>
              <section className="card card-wide" aria-labelledby="wd-conditions">
                <h2 id="wd-conditions">{t('detail.conditions')}</h2>
                <Conditions conditions={status.conditions ?? []} />
              </section>
            </div>
          )}
          {tab === 'pods' && (
            <PodsOf selector={selectorString(spec.selector)} />
          )}
          {tab === 'revisions' && (
            <Revisions resource={resource} name={name} version={object.metadata.resourceVersion ?? ''} />
          )}
          {tab === 'events' && <EventsOf name={name} />}
        </Tabs>
      )}
      {!object && !live.synced && !live.error && <div className="spinner">{t('common.loading')}</div>}
      {actions.dialogs}
    </div>
  );
}

function Conditions({ conditions }: { conditions: Condition[] }) {
  const { t, locale } = useI18n();
  if (conditions.length === 0) return <p className="muted">{t('detail.noConditions')}</p>;
  return (
    <table className="simple-table">
      <thead>
        <tr>
          <th scope="col">{t('workloads.type')}</th>
          <th scope="col">{t('workloads.status')}</th>
          <th scope="col">{t('workloads.reason')}</th>
          <th scope="col">{t('workloads.message')}</th>
          <th scope="col">{t('detail.since')}</th>
        </tr>
      </thead>
      <tbody>
        {conditions.map((c) => (
          <tr key={c.type}>
            <td>{c.type}</td>
            <td>
              <span className={`badge ${c.status === 'True' ? 'badge-ok' : c.status === 'False' ? 'badge-bad' : 'badge-warn'}`}>{c.status}</span>
            </td>
            <td>{c.reason}</td>
            <td className="wrap">{c.message}</td>
            <td>{age(c.lastTransitionTime ?? c.lastUpdateTime, locale)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PodsOf({ selector }: { selector: string }) {
  const { t, locale } = useI18n();
  const project = useProject();
  const podKind = kindGroups.pods.kinds[0];
  const actions = useObjectActions(podKind);
  const columns: Column<Any>[] = [
    ...columnsFor('pods', t, locale, project),
    { id: 'actions', header: t('common.actions'), width: '3fr', render: (o) => actions.buttons(o) },
  ];
  if (!selector) return <p className="muted">{t('detail.noSelector')}</p>;
  return (
    <>
      <ErrorBanner error={actions.error} />
      <ListPage<Any>
        label={t('detail.podsOf')}
        live={{ path: paths.objects(project.cluster, project.namespace, 'pods'), labelSelector: selector }}
        rowKey={(o) => o.metadata.uid ?? o.metadata.name}
        emptyText={t('workloads.none', { kind: t('kinds.pods') })}
        columns={columns}
        height={360}
      />
      {actions.dialogs}
    </>
  );
}

function EventsOf({ name }: { name: string }) {
  const { t, locale } = useI18n();
  const project = useProject();
  // The workload's own events and those of its ReplicaSets and pods (named after it).
  const filter = useMemo(
    () => (o: Any) => {
      const n = (o as unknown as KubeEvent).involvedObject?.name ?? '';
      return n === name || n.startsWith(`${name}-`);
    },
    [name],
  );
  return (
    <ListPage<Any>
      label={t('nav.events')}
      live={{ path: paths.objects(project.cluster, project.namespace, 'events'), filter }}
      rowKey={(o) => o.metadata.uid ?? o.metadata.name}
      emptyText={t('detail.noEvents')}
      columns={columnsFor('events', t, locale, project)}
      height={360}
      filterable={false}
    />
  );
}

// The rollout history (newest first, as the server sends it) with roll back to a revision other than the current
// one. Exported for its tests.
export function Revisions({ resource, name, version }: { resource: string; name: string; version: string }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const toast = useToast();
  const project = useProject();
  const { observeError } = useAccess();
  const [rollingBack, setRollingBack] = useState<Revision | null>(null);
  // Read again whenever the workload changes (a rollout makes a revision).
  const [debounced, setDebounced] = useState(version);
  useEffect(() => {
    const h = setTimeout(() => setDebounced(version), 500);
    return () => clearTimeout(h);
  }, [version]);
  const revisions = useFetch(
    (signal) => api.get<{ items: Revision[]; total: number }>(paths.revisions(project.cluster, project.namespace, resource, name), { signal }),
    [api, project.cluster, project.namespace, resource, name, debounced],
  );
  const rollback = { verb: 'create', group: 'apps', resource: `${resource}/rollback`, scope: project.scope };
  const items = revisions.data?.items ?? [];
  return (
    <div>
      <ErrorBanner error={revisions.error} onRetry={revisions.reload} />
      {revisions.data && items.length === 0 && <p className="muted">{t('detail.noRevisions')}</p>}
      {items.length > 0 && (
        <table className="simple-table" aria-label={t('detail.revisions')}>
          <thead>
            <tr>
              <th scope="col">{t('detail.revision')}</th>
              <th scope="col">{t('workloads.images')}</th>
              <th scope="col">{t('detail.changeCause')}</th>
              <th scope="col">{t('common.created')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.revision}>
                <td>
                  {r.revision} {r.current && <span className="badge badge-ok">{t('detail.current')}</span>}
                </td>
                <td className="mono wrap">{(r.images ?? []).join(', ')}</td>
                <td className="wrap">{r.changeCause || '—'}</td>
                <td>{age(r.creationTimestamp, locale)}</td>
                <td>
                  {!r.current && (
                    <Allowed request={rollback}>
                      <Button variant="ghost" onClick={() => setRollingBack(r)}
                        aria-label={t('detail.rollbackTo', { revision: r.revision })}>
                        {t('detail.rollback')}
                      </Button>
                    </Allowed>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rollingBack && (
        <ConfirmDialog
          title={t('detail.rollbackTitle', { name, revision: rollingBack.revision })}
          body={t('detail.rollbackBody', { name, revision: rollingBack.revision, images: (rollingBack.images ?? []).join(', ') })}
          confirmLabel={t('detail.rollback')}
          onClose={() => setRollingBack(null)}
          onConfirm={async () => {
            let answer: RollbackAnswer;
            try {
              answer = await api.post<RollbackAnswer>(paths.rollback(project.cluster, project.namespace, resource, name), {
                revision: rollingBack.revision,
              });
            } catch (e) {
              throw observeError(rollback, e);
            }
            // changed: false ("skipped rollback: …"): the template already was that revision's; nothing happened.
            toast(answer.changed === false ? 'info' : 'success', answer.message ?? t('detail.rolledBack', { revision: rollingBack.revision }));
            revisions.reload();
          }}
        />
      )}
    </div>
  );
}
