// The Kubernetes kinds a project's pages list, grouped as the navigation groups them, with their columns.
import { Link } from 'react-router';
import type { MessageKey, Translate } from '../../i18n';
import type { Column } from '../../components/ListPage';
import { age } from '../../components/format';
import type { ConfigMap, Deployment, KubeEvent, KubeObject, Pod, Secret, Service } from '../../api/types';
import { detailPath, podPath, withDetail } from './actions';

export interface KindInfo {
  resource: string;
  group: string;
  label: MessageKey;
}

export const kindGroups: Record<string, { title: MessageKey; kinds: KindInfo[] }> = {
  workloads: {
    title: 'nav.workloads',
    kinds: [
      { resource: 'deployments', group: 'apps', label: 'kinds.deployments' },
      { resource: 'statefulsets', group: 'apps', label: 'kinds.statefulsets' },
      { resource: 'daemonsets', group: 'apps', label: 'kinds.daemonsets' },
      { resource: 'jobs', group: 'batch', label: 'kinds.jobs' },
      { resource: 'cronjobs', group: 'batch', label: 'kinds.cronjobs' },
    ],
  },
  pods: { title: 'nav.pods', kinds: [{ resource: 'pods', group: '', label: 'kinds.pods' }] },
  services: {
    title: 'nav.services',
    kinds: [
      { resource: 'services', group: '', label: 'kinds.services' },
      { resource: 'ingresses', group: 'networking.k8s.io', label: 'kinds.ingresses' },
    ],
  },
  config: {
    title: 'nav.config',
    kinds: [
      { resource: 'configmaps', group: '', label: 'kinds.configmaps' },
      { resource: 'secrets', group: '', label: 'kinds.secrets' },
    ],
  },
  storage: { title: 'nav.storage', kinds: [{ resource: 'persistentvolumeclaims', group: '', label: 'kinds.pvcs' }] },
  events: { title: 'nav.events', kinds: [{ resource: 'events', group: '', label: 'kinds.events' }] },
};

type Any = KubeObject & Record<string, unknown>;

export function podStatus(p: Pod): { ready: string; restarts: number; phase: string } {
  const cs = p.status?.containerStatuses ?? [];
  const total = p.spec?.containers?.length ?? cs.length;
  const ready = cs.filter((c) => c.ready).length;
  const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const waiting = cs.map((c) => (c.state?.waiting as { reason?: string } | undefined)?.reason).find(Boolean);
  return { ready: `${ready}/${total}`, restarts, phase: waiting ?? p.status?.phase ?? '' };
}

export function columnsFor(
  resource: string,
  t: Translate,
  locale: string,
  where: { workspace: string; project: string },
): Column<Any>[] {
  const name: Column<Any> = {
    id: 'name', header: t('common.name'), sortKey: 'name', width: '3fr',
    render: (o) => withDetail.has(resource)
      ? <Link to={detailPath(where.workspace, where.project, resource, o.metadata.name)}>{o.metadata.name}</Link>
      : o.metadata.name,
  };
  const created: Column<Any> = {
    id: 'age', header: t('common.age'), sortKey: 'creationTimestamp', width: '1.4fr', render: (o) => age(o.metadata.creationTimestamp, locale),
  };
  switch (resource) {
    case 'deployments':
    case 'statefulsets':
      return [
        name,
        { id: 'ready', header: t('workloads.ready'), render: (o) => {
            const d = o as unknown as Deployment;
            return `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`;
          } },
        { id: 'images', header: t('workloads.images'), width: '3fr',
          render: (o) => ((o as unknown as Deployment).spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', ') },
        created,
      ];
    case 'pods':
      return [
        { ...name, render: (o) => <Link to={podPath(where.workspace, where.project, o.metadata.name, 'logs')}>{o.metadata.name}</Link> },
        { id: 'ready', header: t('workloads.ready'), render: (o) => podStatus(o as unknown as Pod).ready },
        { id: 'status', header: t('workloads.status'), render: (o) => podStatus(o as unknown as Pod).phase },
        { id: 'restarts', header: t('workloads.restarts'), render: (o) => podStatus(o as unknown as Pod).restarts },
        { id: 'node', header: t('workloads.node'), render: (o) => (o as unknown as Pod).spec?.nodeName },
        created,
      ];
    case 'services':
      return [
        name,
        { id: 'type', header: t('workloads.type'), render: (o) => (o as unknown as Service).spec?.type },
        { id: 'ip', header: t('workloads.clusterIP'), render: (o) => (o as unknown as Service).spec?.clusterIP },
        { id: 'ports', header: t('workloads.ports'),
          render: (o) => ((o as unknown as Service).spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ') },
        created,
      ];
    case 'configmaps':
      return [name, { id: 'keys', header: t('workloads.keys'), width: '3fr',
        render: (o) => Object.keys((o as unknown as ConfigMap).data ?? {}).join(', ') }, created];
    case 'secrets':
      return [
        name,
        { id: 'type', header: t('workloads.type'), width: '2fr', render: (o) => (o as unknown as Secret).type },
        { id: 'keys', header: t('workloads.keys'), width: '3fr', render: (o) => Object.keys((o as unknown as Secret).data ?? {}).join(', ') },
        created,
      ];
    case 'events':
      return [
        { id: 'type', header: t('workloads.type'), render: (o) => (o as unknown as KubeEvent).type },
        { id: 'reason', header: t('workloads.reason'), render: (o) => (o as unknown as KubeEvent).reason },
        { id: 'object', header: t('workloads.object'), width: '2fr', render: (o) => {
            const io = (o as unknown as KubeEvent).involvedObject;
            return io ? `${io.kind ?? ''}/${io.name ?? ''}` : '';
          } },
        { id: 'message', header: t('workloads.message'), width: '5fr', render: (o) => <span title={(o as unknown as KubeEvent).message}>{(o as unknown as KubeEvent).message}</span> },
        created,
      ];
    default:
      return [name, created];
  }
}
