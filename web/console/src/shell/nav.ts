// The navigation follows the tenant model: Platform (for those who may administer it), the current workspace,
// the current project and the current cluster. Each item names the read it needs; an item is shown unless the
// access model knows it is refused. Pure, so the hiding rules are tested without rendering.
import type { MessageKey } from '../i18n';
import type { Decision } from '../access/cache';
import {
  type AccessRequest,
  type Scope,
  clusterScope,
  platformScope,
  projectScope,
  workspaceScope,
} from '../access/rules';

export interface NavItem {
  id: string;
  to: string;
  label: MessageKey;
  requires?: AccessRequest;
}

export interface NavSection {
  id: string;
  title: MessageKey;
  titleArg?: string;
  items: NavItem[];
}

export interface NavContext {
  workspace?: string;
  project?: string;
  projectCluster?: string;
  cluster?: string;
}

const iam = 'iam.atrium.io';
const tenant = 'tenant.atrium.io';

const list = (group: string, resource: string, scope: Scope): AccessRequest => ({ verb: 'list', group, resource, scope });

export function projectBase(ws: string, p: string): string {
  return `/workspaces/${encodeURIComponent(ws)}/projects/${encodeURIComponent(p)}`;
}

// Every section and item for the context, before access is applied.
export function navSections(ctx: NavContext): NavSection[] {
  const sections: NavSection[] = [
    {
      id: 'home',
      title: 'nav.home',
      items: [
        { id: 'overview', to: '/', label: 'nav.overview' },
        { id: 'tokens', to: '/tokens', label: 'nav.tokens' },
      ],
    },
    {
      id: 'platform',
      title: 'nav.platform',
      items: [
        { id: 'clusters', to: '/platform/clusters', label: 'nav.clusters',
          requires: { verb: 'get', group: 'cluster.atrium.io', resource: 'clusters', scope: platformScope } },
        { id: 'workspaces', to: '/platform/workspaces', label: 'nav.workspaces',
          requires: list(tenant, 'workspaces', platformScope) },
        { id: 'users', to: '/platform/users', label: 'nav.users', requires: list(iam, 'users', platformScope) },
        { id: 'groups', to: '/platform/groups', label: 'nav.groups', requires: list(iam, 'groups', platformScope) },
        { id: 'roles', to: '/platform/roles', label: 'nav.roles', requires: list(iam, 'roles', platformScope) },
        { id: 'audit', to: '/platform/audit', label: 'nav.audit',
          requires: list('audit.atrium.io', 'auditevents', platformScope) },
      ],
    },
  ];
  if (ctx.workspace) {
    const ws = ctx.workspace;
    const s = workspaceScope(ws);
    const base = `/workspaces/${encodeURIComponent(ws)}`;
    sections.push({
      id: 'workspace',
      title: 'nav.workspace',
      titleArg: ws,
      items: [
        { id: 'projects', to: `${base}/projects`, label: 'nav.projects', requires: list(tenant, 'projects', s) },
        { id: 'ws-members', to: `${base}/members`, label: 'nav.members', requires: list(iam, 'workspacemembers', s) },
        { id: 'ws-roles', to: `${base}/roles`, label: 'nav.roles', requires: list(iam, 'workspaceroles', s) },
        { id: 'quotas', to: `${base}/quotas`, label: 'nav.quotas',
          requires: { verb: 'get', group: tenant, resource: 'workspaces', scope: s } },
      ],
    });
  }
  if (ctx.workspace && ctx.project) {
    const s = projectScope(ctx.workspace, ctx.project, ctx.projectCluster);
    const base = projectBase(ctx.workspace, ctx.project);
    sections.push({
      id: 'project',
      title: 'nav.project',
      titleArg: ctx.project,
      items: [
        { id: 'workloads', to: `${base}/workloads`, label: 'nav.workloads', requires: list('apps', 'deployments', s) },
        { id: 'pods', to: `${base}/pods`, label: 'nav.pods', requires: list('', 'pods', s) },
        { id: 'services', to: `${base}/services`, label: 'nav.services', requires: list('', 'services', s) },
        { id: 'config', to: `${base}/config`, label: 'nav.config', requires: list('', 'configmaps', s) },
        { id: 'storage', to: `${base}/storage`, label: 'nav.storage', requires: list('', 'persistentvolumeclaims', s) },
        { id: 'events', to: `${base}/events`, label: 'nav.events', requires: list('', 'events', s) },
        { id: 'p-members', to: `${base}/members`, label: 'nav.members', requires: list(iam, 'members', s) },
        { id: 'p-roles', to: `${base}/roles`, label: 'nav.roles', requires: list(iam, 'roles', s) },
      ],
    });
  }
  if (ctx.cluster) {
    sections.push({
      id: 'cluster',
      title: 'nav.cluster',
      titleArg: ctx.cluster,
      items: [
        { id: 'cluster-overview', to: `/cluster/${encodeURIComponent(ctx.cluster)}`, label: 'nav.clusterOverview',
          requires: { verb: 'get', group: 'cluster.atrium.io', resource: 'clusters', scope: clusterScope(ctx.cluster) } },
      ],
    });
  }
  return sections;
}

export function navRequirements(sections: NavSection[]): AccessRequest[] {
  return sections.flatMap((s) => s.items.flatMap((i) => (i.requires ? [i.requires] : [])));
}

// Keeps the items the user may use, and the sections that still have one.
export function filterNav(sections: NavSection[], decide: (req: AccessRequest) => Decision): NavSection[] {
  return sections
    .map((sec) => ({ ...sec, items: sec.items.filter((item) => !item.requires || decide(item.requires) === 'allow') }))
    .filter((sec) => sec.items.length > 0);
}

export function buildNav(ctx: NavContext, decide: (req: AccessRequest) => Decision): NavSection[] {
  return filterNav(navSections(ctx), decide);
}
