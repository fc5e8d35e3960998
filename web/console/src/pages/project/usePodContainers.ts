// The pod named in the route (…/pods/:pod/…) of the current project, read once, and its container names: what
// the log viewer and the terminal offer to choose from.
import { useParams } from 'react-router';
import { paths } from '../../api/endpoints';
import type { Pod } from '../../api/types';
import { useApi } from '../../app/context';
import { useFetch } from '../../hooks/useFetch';
import { useProject } from './ProjectLayout';

export function usePodContainers() {
  const api = useApi();
  const project = useProject();
  const { pod = '' } = useParams();
  const podInfo = useFetch(
    (signal) => api.get<Pod>(paths.object(project.cluster, project.namespace, 'pods', pod), { signal }),
    [api, project.cluster, project.namespace, pod],
  );
  const containers = podInfo.data?.spec?.containers.map((c) => c.name) ?? [];
  return { pod, podInfo, containers };
}
