// Roles of the platform (platform and cluster roles), of a workspace or of a project: built-in and custom,
// each shown as the permission templates it aggregates and their rules (GET /api/v1/templates); creating a
// custom role by choosing templates, editing one in place (PUT: description and templates), deleting one.
import { useState } from 'react';
import { useParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { type AccessRequest, platformScope, projectScope, workspaceScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import type { PermissionTemplate, PolicyRule, Role, RoleSpec } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { checkSubdomain } from '../../components/validation';
import { useFetch } from '../../hooks/useFetch';
import { type MessageKey, type Translate, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

type Level = RoleSpec['level'];

// Whether a role of `role` level may hold a template of `template` level (src/iam/templates.cc).
export function templateAllowedIn(template: string, role: Level): boolean {
  const tl = template.toLowerCase();
  switch (role) {
    case 'platform':
      return true;
    case 'cluster':
      return tl === 'cluster' || tl === 'project';
    case 'workspace':
      return tl === 'workspace' || tl === 'project';
    case 'project':
      return tl === 'project';
  }
  return false;
}

export interface RoleForm {
  name: string;
  level: Level;
  description: string;
  templates: string[];
}

export function validateRole(f: RoleForm, known: PermissionTemplate[]): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const n = checkSubdomain(f.name);
  if (n) out['metadata.name'] = n;
  if (f.templates.length === 0) out['spec.templates'] = 'roles.chooseTemplate';
  else if (known.length && f.templates.some((name) => !known.some((t) => t.name === name && templateAllowedIn(t.level, f.level)))) {
    out['spec.templates'] = 'roles.templateLevel';
  }
  return out;
}

export function levelLabel(t: Translate, level: string | undefined): string {
  switch (level?.toLowerCase()) {
    case 'platform':
      return t('roles.levelPlatform');
    case 'cluster':
      return t('roles.levelCluster');
    case 'workspace':
      return t('roles.levelWorkspace');
    case 'project':
      return t('roles.levelProject');
    default:
      return level ?? '';
  }
}

export function RulesTable({ rules, caption }: { rules: PolicyRule[]; caption: string }) {
  const { t } = useI18n();
  return (
    <table className="rules">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('roles.apiGroups')}</th>
          <th scope="col">{t('roles.resources')}</th>
          <th scope="col">{t('roles.verbs')}</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((r, i) => (
          <tr key={i}>
            <td className="mono">{(r.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(', ')}</td>
            <td className="mono">{(r.resources ?? []).join(', ')}{r.resourceNames?.length ? ` (${r.resourceNames.join(', ')})` : ''}</td>
            <td className="mono">{(r.verbs ?? []).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function Roles() {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const { ws, p } = useParams();
  const path = p && ws ? paths.projectRoles(ws, p) : ws ? paths.workspaceRoles(ws) : paths.roles;
  const access = (verb: string): AccessRequest =>
    p && ws
      ? { verb, group: 'iam.atrium.io', resource: 'roles', scope: projectScope(ws, p) }
      : ws
        ? { verb, group: 'iam.atrium.io', resource: 'workspaceroles', scope: workspaceScope(ws) }
        : { verb, group: 'iam.atrium.io', resource: 'roles', scope: platformScope };
  const levels: Level[] = p ? ['project'] : ws ? ['workspace'] : ['platform', 'cluster'];
  const templates = useFetch((signal) => api.get<{ items: PermissionTemplate[] }>(paths.templates, { signal }), [api]);
  const known = templates.data?.items ?? [];
  const [creating, setCreating] = useState(false);
  const [showing, setShowing] = useState<Role | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [editing, setEditing] = useState<Role | null>(null);
  const [reload, setReload] = useState(0);
  const title = p ? t('roles.projectTitle', { project: p }) : ws ? t('roles.workspaceTitle', { workspace: ws }) : t('roles.title');
  return (
    <div>
      <div className="page-header">
        <h1>{title}</h1>
        <Allowed request={access('create')}>
          <Button variant="primary" onClick={() => setCreating(true)}>{t('roles.create')}</Button>
        </Allowed>
      </div>
      {templates.error instanceof ApiError && templates.error.status === 404 ? (
        <p className="muted">{t('roles.noTemplates')}</p>
      ) : (
        <ErrorBanner error={templates.error} onRetry={templates.reload} />
      )}
      <ListPage<Role>
        label={title}
        reloadKey={`${path}/${reload}`}
        load={(q, signal) => api.list<Role>(path, { ...q }, signal)}
        rowKey={(r) => `${r.spec?.level}/${r.metadata.name}`}
        defaultSort={{ sortBy: 'name', ascending: true }}
        rowHeight={48}
        columns={[
          { id: 'name', header: t('common.name'), width: '2fr', render: (r) => r.metadata.name },
          { id: 'level', header: t('roles.level'), render: (r) => levelLabel(t, r.spec?.level) },
          { id: 'kind', header: t('roles.kind'),
            render: (r) => <span className="badge">{r.spec?.builtin ? t('roles.builtin') : t('roles.custom')}</span> },
          { id: 'templates', header: t('roles.templates'), width: '3fr',
            render: (r) => <span className="mono" title={(r.spec?.templates ?? []).join(', ')}>{(r.spec?.templates ?? []).join(', ') || '—'}</span> },
          { id: 'actions', header: t('common.actions'), width: '3fr', render: (r) => (
              <>
                <Button variant="ghost" onClick={() => setShowing(r)} aria-label={t('roles.rulesOf', { name: r.metadata.name })}>
                  {t('roles.rules')}
                </Button>
                {!r.spec?.builtin && (
                  <Allowed request={access('update')}>
                    <Button variant="ghost" onClick={() => setEditing(r)} aria-label={t('roles.edit', { name: r.metadata.name })}>
                      {t('roles.editButton')}
                    </Button>
                  </Allowed>
                )}
                {!r.spec?.builtin && (
                  <Allowed request={access('delete')}>
                    <Button variant="ghost" onClick={() => setDeleting(r)} aria-label={t('common.deleteNamed', { name: r.metadata.name })}>
                      {t('common.delete')}
                    </Button>
                  </Allowed>
                )}
              </>
            ) },
        ]}
      />
      {showing && (
        <Dialog title={t('roles.rulesOf', { name: showing.metadata.name })} onClose={() => setShowing(null)} wide
          footer={<Button onClick={() => setShowing(null)}>{t('common.close')}</Button>}>
          {showing.spec?.description && <p>{showing.spec.description}</p>}
          {(showing.spec?.templates ?? []).map((name) => {
            const tpl = known.find((x) => x.name === name);
            return (
              <section key={name} aria-label={name}>
                <h3 className="mono">{name}</h3>
                {tpl?.description && <p className="muted">{tpl.description}</p>}
                {tpl ? <RulesTable rules={tpl.rules} caption={name} /> : <p className="muted">{t('roles.rulesUnknown')}</p>}
              </section>
            );
          })}
        </Dialog>
      )}
      {creating && (
        <CreateRoleDialog path={path} levels={levels} templates={known} onClose={() => setCreating(false)}
          onDenied={(e) => observeError(access('create'), e)}
          onCreated={() => { setCreating(false); setReload((x) => x + 1); }} />
      )}
      {editing && (
        <CreateRoleDialog path={path} levels={levels} templates={known} editing={editing} onClose={() => setEditing(null)}
          onDenied={(e) => observeError(access('update'), e)}
          onCreated={() => { setEditing(null); setReload((x) => x + 1); }} />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('common.deleteTitle', { name: deleting.metadata.name })}
          body={t('roles.deleteBody', { name: deleting.metadata.name })}
          confirmLabel={t('common.delete')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            try {
              await api.delete(`${path}/${encodeURIComponent(deleting.metadata.name)}`);
            } catch (e) {
              throw observeError(access('delete'), e);
            }
            toast('success', t('common.deleted', { name: deleting.metadata.name }));
            setReload((x) => x + 1);
          }}
        />
      )}
    </div>
  );
}

const roleFields = ['metadata.name', 'spec.level', 'spec.description', 'spec.templates'];

// Creates a custom role, or with `editing` replaces one (PUT: description and templates; name and level stay).
export function CreateRoleDialog({ path, levels, templates, editing, onClose, onCreated, onDenied }: {
  path: string;
  levels: Level[];
  templates: PermissionTemplate[];
  editing?: Role;
  onClose: () => void;
  onCreated: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const [form, setForm] = useState<RoleForm>(
    editing
      ? {
          name: editing.metadata.name,
          level: (editing.spec?.level as Level | undefined) ?? levels[0],
          description: editing.spec?.description ?? '',
          templates: editing.spec?.templates ?? [],
        }
      : { name: '', level: levels[0], description: '', templates: [] },
  );
  const offered = templates.filter((x) => templateAllowedIn(x.level, form.level));
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateRole(form, templates),
    send: async () => {
      const spec = { level: form.level, description: form.description || undefined, templates: form.templates };
      if (editing) {
        await api.put(`${path}/${encodeURIComponent(form.name)}`, {
          metadata: { name: form.name, resourceVersion: editing.metadata.resourceVersion },
          spec,
        });
        toast('success', t('roles.updated', { name: form.name }));
      } else {
        await api.post(path, { metadata: { name: form.name }, spec });
        toast('success', t('roles.created', { name: form.name }));
      }
      onCreated();
    },
    onError: onDenied,
    fields: roleFields,
    lists: ['spec.templates'],
  });
  const toggle = (name: string, on: boolean) =>
    setForm((f) => ({ ...f, templates: on ? [...f.templates, name] : f.templates.filter((x) => x !== name) }));
  return (
    <Dialog title={editing ? t('roles.edit', { name: editing.metadata.name }) : t('roles.create')} onClose={onClose} wide>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <div className="form-row">
          <TextField label={t('common.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })}
            error={errors['metadata.name']} autoComplete="off" disabled={!!editing} />
          <SelectField label={t('roles.level')} value={form.level} disabled={levels.length < 2 || !!editing}
            onChange={(e) => setForm({ ...form, level: e.target.value as Level, templates: form.templates.filter((n) =>
              templates.some((x) => x.name === n && templateAllowedIn(x.level, e.target.value as Level))) })}
            options={levels.map((l) => ({ value: l, label: levelLabel(t, l) }))} error={errors['spec.level']} />
        </div>
        <TextField label={t('roles.description')} value={form.description}
          onChange={(e) => setForm({ ...form, description: e.target.value })} error={errors['spec.description']} />
        <fieldset aria-describedby={errors['spec.templates'] ? 'role-templates-error' : undefined}>
          <legend>{t('roles.templates')}</legend>
          {templates.length === 0 && <p className="muted">{t('roles.noTemplates')}</p>}
          <div className="checklist">
            {offered.map((x) => (
              <div key={x.name}>
                <label>
                  <input type="checkbox" checked={form.templates.includes(x.name)} onChange={(e) => toggle(x.name, e.target.checked)} />{' '}
                  <span className="mono">{x.name}</span> <span className="badge">{levelLabel(t, x.level)}</span>
                  {x.description && <span className="muted"> — {x.description}</span>}
                </label>
                <details>
                  <summary>{t('roles.rulesOf', { name: x.name })}</summary>
                  <RulesTable rules={x.rules} caption={x.name} />
                </details>
              </div>
            ))}
          </div>
          {errors['spec.templates'] && <div className="field-error" id="role-templates-error" role="alert">{errors['spec.templates']}</div>}
        </fieldset>
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{editing ? t('common.save') : t('common.create')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
