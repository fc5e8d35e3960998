// Paths of the atrium API (src/api/*_routes.cc). Pages build URLs only through these functions.
import { seg } from './client';

export const paths = {
  login: '/api/v1/login',
  logout: '/api/v1/logout',
  whoami: '/api/v1/whoami',
  accessReviews: '/api/v1/accessreviews',
  tokens: '/api/v1/tokens',
  password: '/api/v1/password',
  token: (id: string) => `/api/v1/tokens/${seg(id)}`,
  users: '/api/v1/users',
  user: (name: string) => `/api/v1/users/${seg(name)}`,
  groups: '/api/v1/groups',
  group: (name: string) => `/api/v1/groups/${seg(name)}`,
  templates: '/api/v1/templates',
  roles: '/api/v1/roles',
  role: (name: string) => `/api/v1/roles/${seg(name)}`,
  platformMembers: '/api/v1/members',
  platformMember: (id: string) => `/api/v1/members/${seg(id)}`,
  audit: '/api/v1/audit',
  clusters: '/api/v1/clusters',
  cluster: (c: string) => `/api/v1/clusters/${seg(c)}`,
  // ?verify=false: registered or reconnected without the cluster answering now (shown Unreachable until it does).
  unverified: (path: string, skip: boolean) => (skip ? `${path}?verify=false` : path),
  clusterPreflight: (c: string) => `/api/v1/clusters/${seg(c)}/preflight`,
  clusterMembers: (c: string) => `/api/v1/clusters/${seg(c)}/members`,
  clusterMember: (c: string, id: string) => `/api/v1/clusters/${seg(c)}/members/${seg(id)}`,
  clusterNamespaces: (c: string) => `/api/v1/clusters/${seg(c)}/namespaces`,
  workspaces: '/api/v1/workspaces',
  workspace: (ws: string) => `/api/v1/workspaces/${seg(ws)}`,
  workspaceMembers: (ws: string) => `/api/v1/workspaces/${seg(ws)}/members`,
  workspaceMember: (ws: string, id: string) => `/api/v1/workspaces/${seg(ws)}/members/${seg(id)}`,
  workspaceRoles: (ws: string) => `/api/v1/workspaces/${seg(ws)}/roles`,
  projects: (ws: string) => `/api/v1/workspaces/${seg(ws)}/projects`,
  project: (ws: string, p: string) => `/api/v1/workspaces/${seg(ws)}/projects/${seg(p)}`,
  projectMembers: (ws: string, p: string) => `/api/v1/workspaces/${seg(ws)}/projects/${seg(p)}/members`,
  projectMember: (ws: string, p: string, id: string) =>
    `/api/v1/workspaces/${seg(ws)}/projects/${seg(p)}/members/${seg(id)}`,
  projectRoles: (ws: string, p: string) => `/api/v1/workspaces/${seg(ws)}/projects/${seg(p)}/roles`,
  // Workloads: the project's namespace on its cluster (a project is the namespace of the same name).
  objects: (cluster: string, ns: string, resource: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/${resource}`,
  object: (cluster: string, ns: string, resource: string, name: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/${resource}/${seg(name)}`,
  podLog: (cluster: string, ns: string, pod: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/pods/${seg(pod)}/log`,
  podExec: (cluster: string, ns: string, pod: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/pods/${seg(pod)}/exec`,
  // Workload actions (src/api/workload_action_routes.h).
  scale: (cluster: string, ns: string, resource: string, name: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/${resource}/${seg(name)}/scale`,
  restart: (cluster: string, ns: string, resource: string, name: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/${resource}/${seg(name)}/restart`,
  revisions: (cluster: string, ns: string, resource: string, name: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/${resource}/${seg(name)}/revisions`,
  rollback: (cluster: string, ns: string, resource: string, name: string) =>
    `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/${resource}/${seg(name)}/rollback`,
  apply: (cluster: string, ns: string) => `/api/v1/clusters/${seg(cluster)}/namespaces/${seg(ns)}/apply`,
  nodes: (cluster: string) => `/api/v1/clusters/${seg(cluster)}/nodes`,
  node: (cluster: string, name: string) => `/api/v1/clusters/${seg(cluster)}/nodes/${seg(name)}`,
};

// ws:// or wss:// URL of a same-origin path.
export function websocketUrl(path: string, query: string, location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}${query}`;
}
