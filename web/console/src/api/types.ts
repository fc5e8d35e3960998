// The shapes atrium serves (src/tenancy, src/iam, src/identity, src/kube, src/audit). Only the fields the
// console reads are typed; objects keep whatever else the server sends.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

export type Quantities = Record<string, string>;

export interface WorkspaceSpec {
  displayName?: string;
  description?: string;
  manager?: string;
  clusters?: string[];
  quotas?: { cluster: string; hard: Quantities }[];
}
export type Workspace = KubeObject<WorkspaceSpec>;

export interface ProjectSpec {
  cluster: string;
  displayName?: string;
  description?: string;
  quota?: { hard?: Quantities };
}
export type Project = KubeObject<ProjectSpec>;

export interface Member {
  user?: string;
  group?: string;
  role: string;
}

export interface RoleSpec {
  level: 'platform' | 'cluster' | 'workspace' | 'project';
  templates: string[];
  builtin?: boolean;
  description?: string;
}
export type Role = KubeObject<RoleSpec>;

// A permission template (GET /api/v1/templates): the rules a role gets by naming it.
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}
export interface PermissionTemplate {
  name: string;
  level: string; // platform | cluster | workspace | project (compared case-insensitively)
  description?: string;
  rules: PolicyRule[];
}

export interface UserSpec {
  displayName?: string;
  email?: string;
  state?: 'Active' | 'Disabled';
  source?: 'local' | 'ldap';
  ldapDN?: string;
  password?: string;
}
export type User = KubeObject<UserSpec, { lastLoginTime?: string; ldapGroups?: string[] }>;

export interface GroupSpec {
  displayName?: string;
  members?: string[];
  ldapGroup?: string;
}
export type Group = KubeObject<GroupSpec>;

export interface PreflightCheck {
  action: string;
  check: string;
  passed: boolean;
  reason?: string;
}

export interface ClusterStatus {
  phase?: 'Ready' | 'Unreachable' | 'Unknown';
  kubernetesVersion?: string;
  nodes?: { total?: number; ready?: number };
  controlPlane?: { healthy?: boolean; endpoint?: string; failed?: string[] };
  lastProbeTime?: string;
  message?: string;
  source?: string;
  preflight?: PreflightCheck[];
}
export type Cluster = KubeObject<
  { displayName?: string; description?: string; context?: string; kubeconfig?: string },
  ClusterStatus
>;

// POST /api/v1/clusters/{c}/preflight → the checks of one action (412 Status with causes when refused).
export interface PreflightResult {
  cluster: string;
  action: string;
  kubernetesVersion: string;
  allowed: boolean;
  checks: PreflightCheck[];
}

// POST …/nodes/{n}/drain → what happened to each pod (the same fields on a failure Status).
export interface PodRef {
  namespace: string;
  name: string;
  reason?: string;
  code?: number;
}
export interface NodeDrain {
  node: string;
  cordoned?: boolean;
  evicted?: PodRef[];
  skipped?: PodRef[];
  failed?: PodRef[];
  terminating?: PodRef[];
}
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface AuditEvent {
  time: string;
  requestId: string;
  user: string;
  sourceAddress: string;
  verb: string;
  apiGroup: string;
  resource: string;
  name: string;
  scope: { level: string; cluster?: string; workspace?: string; project?: string };
  outcome: 'success' | 'failure' | 'denied';
  status: number;
  message: string;
}

export interface ApiToken {
  id: string;
  description: string;
  createdAt: string;
  expiresAt: string;
}

export interface CreatedToken {
  id: string;
  token: string;
  description: string;
  expiresAt: string;
}

export interface LoginResult {
  token: string;
  user: string;
  expiresAt: string;
  expiresAtMs: number;
}

// Kubernetes workload objects as the workload API returns them (the apiserver's JSON).
export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
export interface ResourceRequirements {
  requests?: Quantities;
  limits?: Quantities;
}
export interface Container {
  name: string;
  image: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
}
export interface PodStatus {
  phase?: string;
  podIP?: string;
  hostIP?: string;
  containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: Record<string, unknown> }[];
}
export type Pod = KubeObject<{ containers: Container[]; nodeName?: string }, PodStatus>;
export type Deployment = KubeObject<
  { replicas?: number; selector?: unknown; template?: { spec?: { containers?: Container[] } } },
  { replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number }
>;
export type Service = KubeObject<{ type?: string; clusterIP?: string; ports?: { port: number; protocol?: string }[] }>;
export type ConfigMap = KubeObject & { data?: Record<string, string> };
export type Secret = KubeObject & { type?: string; data?: Record<string, string> };
export type KubeEvent = KubeObject & {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string;
  count?: number;
};
