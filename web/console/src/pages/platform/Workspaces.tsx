// Platform > Workspaces: every workspace, and creating one (bound to clusters, with its manager as admin).
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { platformScope, workspaceScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Cluster, Workspace } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { checkName } from '../../components/validation';
import { useFetch } from '../../hooks/useFetch';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

const createWorkspace = { verb: 'create', group: 'tenant.atrium.io', resource: 'workspaces', scope: platformScope };

export default function Workspaces() {
  const { t, locale } = useI18n();
  const api = useApi();
  const [creating, setCreating] = useState(false);
  const [reload, setReload] = useState(0);
  const [deleting, setDeleting] = useState<Workspace | null>(null);
  const [cascade, setCascade] = useState(false);
  const toast = useToast();
  const { observeError } = useAccess();
  const deleteWorkspace = (name: string) => ({
    verb: 'delete', group: 'tenant.atrium.io', resource: 'workspaces', name, scope: workspaceScope(name),
  });
  return (
    <div>
      <div className="page-header">
        <h1>{t('workspaces.title')}</h1>
        <Allowed request={createWorkspace}>
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t('workspaces.create')}
          </Button>
        </Allowed>
      </div>
      <ListPage<Workspace>
        label={t('workspaces.title')}
        reloadKey={reload}
        load={(q, signal) => api.list<Workspace>(paths.workspaces, { ...q }, signal)}
        rowKey={(w) => w.metadata.name}
        emptyText={t('workspaces.none')}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr',
            render: (w) => <Link to={`/workspaces/${encodeURIComponent(w.metadata.name)}/projects`}>{w.metadata.name}</Link> },
          { id: 'display', header: t('common.displayName'), width: '2fr', render: (w) => w.spec?.displayName },
          { id: 'clusters', header: t('workspaces.clusters'), width: '2fr', render: (w) => (w.spec?.clusters ?? []).join(', ') },
          { id: 'manager', header: t('workspaces.manager'), render: (w) => w.spec?.manager },
          { id: 'age', header: t('common.created'), sortKey: 'creationTimestamp',
            render: (w) => age(w.metadata.creationTimestamp, locale) },
          { id: 'actions', header: t('common.actions'), render: (w) => (
              <Allowed request={deleteWorkspace(w.metadata.name)}>
                <Button variant="ghost" onClick={() => { setCascade(false); setDeleting(w); }}
                  aria-label={t('common.deleteNamed', { name: w.metadata.name })}>
                  {t('common.delete')}
                </Button>
              </Allowed>
            ) },
        ]}
      />
      {deleting && (
        <ConfirmDialog
          title={t('common.deleteTitle', { name: deleting.metadata.name })}
          body={
            <>
              <p>{t('workspaces.deleteBody', { name: deleting.metadata.name })}</p>
              <label>
                <input type="checkbox" checked={cascade} onChange={(e) => setCascade(e.target.checked)} />{' '}
                {t('workspaces.cascade')}
              </label>
            </>
          }
          typeToConfirm={deleting.metadata.name}
          confirmLabel={t('common.delete')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const name = deleting.metadata.name;
            try {
              await api.delete(`${paths.workspaces}/${encodeURIComponent(name)}${cascade ? '?cascade=true' : ''}`);
            } catch (e) {
              throw observeError(deleteWorkspace(name), e);
            }
            toast('success', t('common.deleted', { name }));
            setReload((x) => x + 1);
          }}
        />
      )}
      {creating && (
        <CreateWorkspaceDialog
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            setReload((x) => x + 1);
          }}
        />
      )}
    </div>
  );
}

export function validateWorkspace(name: string): Record<string, MessageKey> {
  const n = checkName(name);
  return n ? { 'metadata.name': n } : {};
}

export function CreateWorkspaceDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const clustersErrorId = useId();
  const clusters = useFetch((signal) => api.list<Cluster>(paths.clusters, { limit: 1000 }, signal), [api]);
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [manager, setManager] = useState('');
  // A cause on one of the clusters (spec.clusters[1]) is shown on the clusters group with its path.
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateWorkspace(name),
    send: async () => {
      await api.post(paths.workspaces, {
        metadata: { name },
        spec: { displayName: displayName || undefined, clusters: chosen, manager: manager || undefined },
      });
      toast('success', t('workspaces.created', { name }));
      onCreated();
    },
    onError: (e) => observeError(createWorkspace, e),
    fields: ['metadata.name', 'spec.displayName', 'spec.clusters', 'spec.manager'],
    lists: ['spec.clusters'],
  });

  return (
    <Dialog title={t('workspaces.create')} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error ?? clusters.error} shownFields={placed} />
        <TextField label={t('common.name')} value={name} onChange={(e) => setName(e.target.value)}
          error={errors['metadata.name']} hint={t('validation.dnsLabelHint')} autoComplete="off" />
        <TextField label={t('common.displayName')} value={displayName} onChange={(e) => setDisplayName(e.target.value)}
          error={errors['spec.displayName']} />
        <fieldset aria-describedby={errors['spec.clusters'] ? clustersErrorId : undefined}>
          <legend>{t('workspaces.clusters')}</legend>
          {clusters.data?.items.length === 0 && <p className="muted">{t('overview.noClusters')}</p>}
          {clusters.data?.items.map((c) => (
            <label key={c.metadata.name} style={{ display: 'block' }}>
              <input
                type="checkbox"
                checked={chosen.includes(c.metadata.name)}
                onChange={(e) =>
                  setChosen((xs) => (e.target.checked ? [...xs, c.metadata.name] : xs.filter((x) => x !== c.metadata.name)))
                }
              />{' '}
              {c.metadata.name}
            </label>
          ))}
          {errors['spec.clusters'] && <div className="field-error" id={clustersErrorId} role="alert">{errors['spec.clusters']}</div>}
        </fieldset>
        <TextField label={t('workspaces.manager')} value={manager} onChange={(e) => setManager(e.target.value)}
          error={errors['spec.manager']} hint={t('workspaces.managerHint')} autoComplete="off" />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.create')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
