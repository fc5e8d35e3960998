// Routes. Every page is its own chunk (React.lazy), so the login page loads only what it needs.
// Client routes never start with /api/ or /clusters/: atrium sends those paths to its API, not the console.
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import type { ApiClient } from './api/client';
import { AccessProvider } from './access/context';
import type { AccessCache } from './access/cache';
import { ApiContext } from './app/context';
import { SessionProvider, useSession } from './auth/session';
import { I18nProvider, useT } from './i18n';
import { Shell } from './shell/Shell';
import { ThemeProvider } from './ui/theme';
import { ToastProvider } from './ui/Toast';

const Login = lazy(() => import('./pages/Login'));
const Overview = lazy(() => import('./pages/Overview'));
const Tokens = lazy(() => import('./pages/Tokens'));
const PlatformWorkspaces = lazy(() => import('./pages/platform/Workspaces'));
const Clusters = lazy(() => import('./pages/platform/Clusters'));
const Users = lazy(() => import('./pages/platform/Users'));
const Groups = lazy(() => import('./pages/platform/Groups'));
const Roles = lazy(() => import('./pages/platform/Roles'));
const Audit = lazy(() => import('./pages/platform/Audit'));
const Projects = lazy(() => import('./pages/workspace/Projects'));
const Members = lazy(() => import('./pages/workspace/Members'));
const Quotas = lazy(() => import('./pages/workspace/Quotas'));
const ProjectLayout = lazy(() => import('./pages/project/ProjectLayout'));
const Resources = lazy(() => import('./pages/project/Resources'));
const DeploymentCreate = lazy(() => import('./pages/project/DeploymentCreate'));
const PodLogs = lazy(() => import('./pages/project/PodLogs'));
const PodTerminal = lazy(() => import('./pages/project/PodTerminal'));
const WorkloadDetail = lazy(() => import('./pages/project/WorkloadDetail'));
const ApplyYaml = lazy(() => import('./pages/project/ApplyYaml'));
const ClusterOverview = lazy(() => import('./pages/cluster/ClusterOverview'));
const NotFound = lazy(() => import('./pages/NotFound'));

function Loading() {
  const t = useT();
  return <div className="spinner">{t('common.loading')}</div>;
}

function RequireSession({ api, access, children }: { api: ApiClient; access?: AccessCache; children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <AccessProvider key={session.user} api={api} cache={access}>
      {children}
    </AccessProvider>
  );
}

export function AppRoutes({ api, access }: { api: ApiClient; access?: AccessCache }) {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route
          element={
            <RequireSession api={api} access={access}>
              <Shell />
            </RequireSession>
          }
        >
          <Route index element={<Overview />} />
          <Route path="tokens" element={<Tokens />} />
          <Route path="platform/workspaces" element={<PlatformWorkspaces />} />
          <Route path="platform/clusters" element={<Clusters />} />
          <Route path="platform/users" element={<Users />} />
          <Route path="platform/groups" element={<Groups />} />
          <Route path="platform/roles" element={<Roles />} />
          <Route path="platform/audit" element={<Audit />} />
          <Route path="workspaces/:ws" element={<Navigate to="projects" replace />} />
          <Route path="workspaces/:ws/projects" element={<Projects />} />
          <Route path="workspaces/:ws/members" element={<Members />} />
          <Route path="workspaces/:ws/roles" element={<Roles />} />
          <Route path="workspaces/:ws/quotas" element={<Quotas />} />
          <Route path="workspaces/:ws/projects/:p" element={<ProjectLayout />}>
            <Route index element={<Navigate to="workloads" replace />} />
            <Route path="deployments/new" element={<DeploymentCreate />} />
            <Route path="pods/:pod/logs" element={<PodLogs />} />
            <Route path="pods/:pod/terminal" element={<PodTerminal />} />
            <Route path="workloads/:resource/:name" element={<WorkloadDetail />} />
            <Route path="apply" element={<ApplyYaml />} />
            <Route path="members" element={<Members />} />
            <Route path="roles" element={<Roles />} />
            <Route path=":group" element={<Resources />} />
          </Route>
          <Route path="cluster/:c" element={<ClusterOverview />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function Providers({ api, children }: { api: ApiClient; children: ReactNode }) {
  return (
    <ApiContext.Provider value={api}>
      <ThemeProvider>
        <I18nProvider>
          <ToastHost>
            <SessionProvider api={api}>{children}</SessionProvider>
          </ToastHost>
        </I18nProvider>
      </ThemeProvider>
    </ApiContext.Provider>
  );
}

function ToastHost({ children }: { children: ReactNode }) {
  const t = useT();
  return <ToastProvider closeLabel={t('common.close')}>{children}</ToastProvider>;
}

export function App({ api }: { api: ApiClient }) {
  return (
    <Providers api={api}>
      <BrowserRouter>
        <AppRoutes api={api} />
      </BrowserRouter>
    </Providers>
  );
}
