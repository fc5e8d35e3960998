// Workspace > Projects: the workspace's projects (a project is a namespace on one of its clusters) and
// creating one with its quota.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { workspaceScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Project, Workspace } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { checkName, checkQuantity } from '../../components/validation';
import { useFetch } from '../../hooks/useFetch';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';
import { projectBase } from '../../shell/nav';
import { mapPatch } from '../../components/keyValues';
import { QuotaDialog } from './QuotaDialog';

export default function Projects() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { ws = '' } = useParams();
  const toast = useToast();
  const { observeError } = useAccess();
  const [creating, setCreating] = useState(false);
  const [quota, setQuota] = useState<Project | null>(null);
  const [reload, setReload] = useState(0);
  const create = { verb: 'create', group: 'tenant.atrium.io', resource: 'projects', scope: workspaceScope(ws) };
  const patch = { verb: 'patch', group: 'tenant.atrium.io', resource: 'projects', scope: workspaceScope(ws) };
  return (
    <div>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">{t('nav.workspace')}: {ws}</div>
          <h1>{t('projects.title')}</h1>
        </div>
        <Allowed request={create}>
          <Button variant="primary" onClick={() => setCreating(true)}>{t('projects.create')}</Button>
        </Allowed>
      </div>
      <ListPage<Project>
        label={t('projects.title')}
        reloadKey={`${ws}/${reload}`}
        load={(q, signal) => api.list<Project>(paths.projects(ws), { ...q }, signal)}
        rowKey={(p) => p.metadata.name}
        emptyText={t('projects.none')}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr',
            render: (p) => <Link to={`${projectBase(ws, p.metadata.name)}/workloads`}>{p.metadata.name}</Link> },
          { id: 'display', header: t('common.displayName'), width: '2fr', render: (p) => p.spec?.displayName },
          { id: 'cluster', header: t('projects.cluster'), render: (p) => p.spec?.cluster },
          { id: 'quota', header: t('projects.quota'), width: '3fr',
            render: (p) => Object.entries(p.spec?.quota?.hard ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') },
          { id: 'age', header: t('common.created'), sortKey: 'creationTimestamp', render: (p) => age(p.metadata.creationTimestamp, locale) },
          { id: 'actions', header: t('common.actions'), render: (p) => (
              <Allowed request={patch}>
                <Button variant="ghost" onClick={() => setQuota(p)} aria-label={t('quotas.editProjectNamed', { name: p.metadata.name })}>
                  {t('quotas.edit')}
                </Button>
              </Allowed>
            ) },
        ]}
      />
      {quota && (
        <QuotaDialog title={t('quotas.editProjectNamed', { name: quota.metadata.name })} hard={quota.spec?.quota?.hard}
          onClose={() => setQuota(null)} onDenied={(e) => observeError(patch, e)}
          save={async (hard) => {
            await api.patch(paths.project(ws, quota.metadata.name), { spec: { quota: { hard: mapPatch(quota.spec?.quota?.hard, hard) } } });
            toast('success', t('quotas.saved', { name: quota.metadata.name }));
            setQuota(null);
            setReload((x) => x + 1);
          }} />
      )}
      {creating && (
        <CreateProjectDialog ws={ws} onClose={() => setCreating(false)}
          onCreated={() => { setCreating(false); setReload((x) => x + 1); }} />
      )}
    </div>
  );
}

const quotaKeys = [
  { key: 'limits.cpu', label: 'projects.quotaCpu' },
  { key: 'limits.memory', label: 'projects.quotaMemory' },
  { key: 'pods', label: 'projects.quotaPods' },
] as const;

const quotaField = (key: string) => `spec.quota.hard["${key}"]`;

export interface ProjectForm {
  name: string;
  displayName: string;
  cluster: string; // the one chosen, or the workspace's first
  quota: Record<string, string>;
}

// Checks before sending; a quota's error is on its field's path (spec.quota.hard["pods"]), as the server's is.
export function validateProject(f: ProjectForm): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const n = checkName(f.name);
  if (n) out['metadata.name'] = n;
  if (!f.cluster) out['spec.cluster'] = 'validation.required';
  for (const q of quotaKeys) {
    const m = checkQuantity(f.quota[q.key] ?? '');
    if (m) out[quotaField(q.key)] = m;
  }
  return out;
}

export function CreateProjectDialog({ ws, onClose, onCreated }: { ws: string; onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const workspace = useFetch((signal) => api.get<Workspace>(paths.workspace(ws), { signal }), [api, ws]);
  const clusters = workspace.data?.spec?.clusters ?? [];
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [cluster, setCluster] = useState('');
  const [quota, setQuota] = useState<Record<string, string>>({});
  const f: ProjectForm = { name, displayName, cluster: cluster || clusters[0] || '', quota };
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateProject(f),
    send: async () => {
      const hard = Object.fromEntries(Object.entries(quota).filter(([, v]) => v));
      await api.post(paths.projects(ws), {
        metadata: { name },
        spec: { cluster: f.cluster, displayName: displayName || undefined, quota: Object.keys(hard).length ? { hard } : undefined },
      });
      toast('success', t('projects.created', { name }));
      onCreated();
    },
    onError: (e) => observeError({ verb: 'create', group: 'tenant.atrium.io', resource: 'projects', scope: workspaceScope(ws) }, e),
    fields: ['metadata.name', 'spec.cluster', 'spec.displayName', ...quotaKeys.map((q) => quotaField(q.key))],
  });

  return (
    <Dialog title={t('projects.create')} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error ?? workspace.error} shownFields={placed} />
        <TextField label={t('common.name')} value={name} onChange={(e) => setName(e.target.value)}
          error={errors['metadata.name']} hint={t('projects.nameHint')} autoComplete="off" />
        <SelectField label={t('projects.cluster')} value={f.cluster} onChange={(e) => setCluster(e.target.value)}
          options={clusters.map((c) => ({ value: c, label: c }))} error={errors['spec.cluster']} />
        <TextField label={t('common.displayName')} value={displayName} onChange={(e) => setDisplayName(e.target.value)}
          error={errors['spec.displayName']} />
        <fieldset>
          <legend>{t('projects.quota')}</legend>
          <div className="form-row">
            {quotaKeys.map((q) => (
              <TextField key={q.key} label={t(q.label)} value={quota[q.key] ?? ''} placeholder={q.key === 'pods' ? '20' : q.key === 'limits.cpu' ? '4' : '8Gi'}
                onChange={(e) => setQuota({ ...quota, [q.key]: e.target.value })} error={errors[quotaField(q.key)]} />
            ))}
          </div>
        </fieldset>
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.create')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
