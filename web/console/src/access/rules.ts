// The words of an access question, as atrium's authoriser takes them (src/core/auth.h): verb, API group,
// resource (with "resource/subresource"), optionally the object's name, and the scope it is asked in. The
// server answers them (POST /api/v1/accessreviews); the console never decides by itself.

export type ScopeLevel = 'platform' | 'cluster' | 'workspace' | 'project';

export interface Scope {
  level: ScopeLevel;
  cluster?: string;
  workspace?: string;
  project?: string;
}

export interface AccessRequest {
  verb: string;
  group: string;
  resource: string; // "pods" or "pods/log"
  name?: string;
  scope: Scope;
}

export const platformScope: Scope = { level: 'platform' };
export const workspaceScope = (workspace: string): Scope => ({ level: 'workspace', workspace });
export const projectScope = (workspace: string, project: string, cluster?: string): Scope => ({
  level: 'project',
  workspace,
  project,
  cluster,
});
export const clusterScope = (cluster: string): Scope => ({ level: 'cluster', cluster });

export function accessKey(req: AccessRequest): string {
  const s = req.scope;
  return [req.verb, req.group, req.resource, req.name ?? '', s.level, s.cluster ?? '', s.workspace ?? '', s.project ?? ''].join('|');
}

// One check of POST /api/v1/accessreviews (src/api/access_review_routes.h).
export interface AccessCheck {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  name?: string;
  scope?: { cluster?: string; workspace?: string; project?: string };
}

export function toCheck(req: AccessRequest): AccessCheck {
  const slash = req.resource.indexOf('/');
  const check: AccessCheck = {
    verb: req.verb,
    apiGroup: req.group,
    resource: slash < 0 ? req.resource : req.resource.slice(0, slash),
  };
  if (slash >= 0) check.subresource = req.resource.slice(slash + 1);
  if (req.name) check.name = req.name;
  const s = req.scope;
  if (s.level === 'cluster' && s.cluster) check.scope = { cluster: s.cluster };
  else if (s.level === 'workspace' && s.workspace) check.scope = { workspace: s.workspace };
  else if (s.level === 'project' && s.workspace && s.project) {
    check.scope = { workspace: s.workspace, project: s.project, ...(s.cluster ? { cluster: s.cluster } : {}) };
  }
  return check;
}
