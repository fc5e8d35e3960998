// The frame of a project's pages: reads the project (its cluster is where its namespace lives) and gives
// its pages the cluster, namespace and access scope.
import { createContext, useContext } from 'react';
import { Outlet, useParams } from 'react-router';
import { projectScope, type Scope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Project } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useFetch } from '../../hooks/useFetch';
import { useT } from '../../i18n';

export interface ProjectInfo {
  workspace: string;
  project: string;
  cluster: string;
  namespace: string;
  scope: Scope;
}

const ProjectContext = createContext<ProjectInfo | null>(null);

export function useProject(): ProjectInfo {
  const p = useContext(ProjectContext);
  if (!p) throw new Error('useProject outside ProjectLayout');
  return p;
}

export const ProjectProvider = ProjectContext.Provider;

export default function ProjectLayout() {
  const t = useT();
  const api = useApi();
  const { ws = '', p = '' } = useParams();
  const project = useFetch((signal) => api.get<Project>(paths.project(ws, p), { signal }), [api, ws, p]);
  if (project.error) return <ErrorBanner error={project.error} onRetry={project.reload} />;
  if (!project.data || project.data.metadata.name !== p) return <div className="spinner">{t('common.loading')}</div>;
  const cluster = project.data.spec?.cluster ?? '';
  const info: ProjectInfo = { workspace: ws, project: p, cluster, namespace: p, scope: projectScope(ws, p, cluster) };
  return (
    <ProjectContext.Provider value={info}>
      <Outlet />
    </ProjectContext.Provider>
  );
}
