// What can be done to one object of a project, shared by the lists and the detail pages: scale
// (PATCH …/{name}/scale), restart (POST …/{name}/restart), delete with confirmation, and a pod's logs and
// terminal. Each control is shown only when the server allows it (POST /api/v1/accessreviews).
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import type { AccessRequest } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { KubeObject } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useForm } from '../../components/useForm';
import { type MessageKey, useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';
import type { KindInfo } from './kinds';
import { useProject } from './ProjectLayout';

export const scalable = new Set(['deployments', 'statefulsets', 'replicasets']);
export const restartable = new Set(['deployments', 'statefulsets', 'daemonsets']);
export const withDetail = new Set(['deployments', 'statefulsets', 'daemonsets']);

type Any = KubeObject & Record<string, unknown>;

export function detailPath(workspace: string, project: string, resource: string, name: string): string {
  return `${projectBase(workspace, project)}/workloads/${resource}/${encodeURIComponent(name)}`;
}

export function podPath(workspace: string, project: string, pod: string, page: 'logs' | 'terminal'): string {
  return `${projectBase(workspace, project)}/pods/${encodeURIComponent(pod)}/${page}`;
}

export function replicasOf(o: Any): number {
  return (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
}

// Buttons for one object and the dialogs they open. `onDeleted` runs after a confirmed delete.
export function useObjectActions(kind: KindInfo, options: { onDeleted?: (name: string) => void } = {}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const project = useProject();
  const { observeError } = useAccess();
  const [deleting, setDeleting] = useState<Any | null>(null);
  const [scaling, setScaling] = useState<Any | null>(null);
  const [error, setError] = useState<unknown>(null);
  const req = (verb: string, resource = kind.resource): AccessRequest => ({ verb, group: kind.group, resource, scope: project.scope });
  const r = kind.resource;

  const restart = async (o: Any) => {
    setError(null);
    try {
      await api.post(paths.restart(project.cluster, project.namespace, r, o.metadata.name), {});
      toast('success', t('workloads.restarted', { name: o.metadata.name }));
    } catch (e) {
      setError(observeError(req('patch'), e));
    }
  };

  const buttons = (o: Any, { withLabels = false }: { withLabels?: boolean } = {}): ReactNode => {
    const name = o.metadata.name;
    const label = (plain: string, named: string) => (withLabels ? { children: plain } : { children: plain, 'aria-label': named });
    return (
      <span className="row-actions">
        {r === 'pods' && (
          <>
            <Allowed request={req('get', 'pods/log')}>
              <Link className="btn btn-ghost" to={podPath(project.workspace, project.project, name, 'logs')}
                aria-label={withLabels ? undefined : t('logs.openNamed', { name })}>
                {t('logs.open')}
              </Link>
            </Allowed>
            <Allowed request={req('create', 'pods/exec')}>
              <Link className="btn btn-ghost" to={podPath(project.workspace, project.project, name, 'terminal')}
                aria-label={withLabels ? undefined : t('terminal.openNamed', { name })}>
                {t('terminal.open')}
              </Link>
            </Allowed>
          </>
        )}
        {scalable.has(r) && (
          <Allowed request={req('patch', `${r}/scale`)}>
            <Button variant="ghost" onClick={() => setScaling(o)} {...label(t('workloads.scale'), t('workloads.scaleNamed', { name }))} />
          </Allowed>
        )}
        {restartable.has(r) && (
          <Allowed request={req('patch')}>
            <Button variant="ghost" onClick={() => void restart(o)} {...label(t('workloads.restart'), t('workloads.restartNamed', { name }))} />
          </Allowed>
        )}
        {r !== 'events' && (
          <Allowed request={req('delete')}>
            <Button variant="ghost" onClick={() => setDeleting(o)} {...label(t('common.delete'), t('common.deleteNamed', { name }))} />
          </Allowed>
        )}
      </span>
    );
  };

  const dialogs = (
    <>
      {deleting && (
        <ConfirmDialog
          title={t('common.deleteTitle', { name: deleting.metadata.name })}
          body={t('common.deleteBody', { kind: t(kind.label), name: deleting.metadata.name })}
          confirmLabel={t('common.delete')}
          typeToConfirm={withDetail.has(r) ? deleting.metadata.name : undefined}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const name = deleting.metadata.name;
            try {
              await api.delete(paths.object(project.cluster, project.namespace, r, name));
            } catch (e) {
              throw observeError(req('delete'), e);
            }
            toast('success', t('common.deleted', { name }));
            options.onDeleted?.(name);
          }}
        />
      )}
      {scaling && (
        <ScaleDialog
          name={scaling.metadata.name}
          current={replicasOf(scaling)}
          onClose={() => setScaling(null)}
          onScale={async (replicas) => {
            const name = scaling.metadata.name;
            try {
              await api.patch(paths.scale(project.cluster, project.namespace, r, name), { spec: { replicas } });
            } catch (e) {
              throw observeError(req('patch', `${r}/scale`), e);
            }
            toast('success', t('workloads.scaled', { name, replicas }));
            setScaling(null);
          }}
        />
      )}
    </>
  );

  return { buttons, dialogs, error, clearError: () => setError(null), requestFor: req };
}

export function validateReplicas(value: string): Record<string, MessageKey> {
  return /^\d+$/.test(value.trim()) && Number(value) <= 10000 ? {} : { 'spec.replicas': 'validation.replicas' };
}

// `onScale` sends the new count (and hands a failure to the access context itself).
export function ScaleDialog({ name, current, onClose, onScale }: {
  name: string;
  current: number;
  onClose: () => void;
  onScale: (n: number) => Promise<void>;
}) {
  const { t } = useI18n();
  const [value, setValue] = useState(String(current));
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateReplicas(value),
    send: () => onScale(Number(value)),
    fields: ['spec.replicas'],
  });
  return (
    <Dialog title={t('workloads.scaleTitle', { name })} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <TextField label={t('deploy.replicas')} type="number" min={0} max={10000} value={value}
          onChange={(e) => setValue(e.target.value)} error={errors['spec.replicas']} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('workloads.scale')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
