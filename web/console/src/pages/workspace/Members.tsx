// Members of a workspace or of a project (views over role bindings): who holds which role, adding a user or
// a group, changing a role, removing a member.
import { useState } from 'react';
import { useParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { type AccessRequest, projectScope, workspaceScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { ListQuery } from '../../api/client';
import type { Member, Role } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { useFetch } from '../../hooks/useFetch';
import { useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

const memberId = (m: Member) => (m.user ? m.user : `group:${m.group}`);

export default function Members() {
  const { t } = useI18n();
  const { ws = '', p } = useParams();
  const scope = p ? projectScope(ws, p) : workspaceScope(ws);
  const resource = p ? 'members' : 'workspacemembers';
  return (
    <MembersView
      listPath={p ? paths.projectMembers(ws, p) : paths.workspaceMembers(ws)}
      itemPath={(id: string) => (p ? paths.projectMember(ws, p, id) : paths.workspaceMember(ws, id))}
      rolesPath={p ? paths.projectRoles(ws, p) : paths.workspaceRoles(ws)}
      manage={(verb: string): AccessRequest => ({ verb, group: 'iam.atrium.io', resource, scope })}
      breadcrumb={p ? `${t('nav.project')}: ${p}` : `${t('nav.workspace')}: ${ws}`}
    />
  );
}

// The members of one scope: a list with add and remove, the controls shown only when allowed. `roleLevel`
// keeps the roles of that level (the platform's roles path offers platform and cluster roles).
export function MembersView({ listPath, itemPath, rolesPath, roleLevel, manage, breadcrumb, section, height }: {
  listPath: string;
  itemPath: (id: string) => string;
  rolesPath: string;
  roleLevel?: string;
  manage: (verb: string) => AccessRequest;
  breadcrumb?: string;
  section?: boolean; // a section of a larger page (h2) rather than a page (h1)
  height?: number;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [reload, setReload] = useState(0);
  const { observeError } = useAccess();
  return (
    <div>
      <div className="page-header">
        <div>
          {breadcrumb && <div className="breadcrumbs">{breadcrumb}</div>}
          {section ? <h2>{t('members.title')}</h2> : <h1>{t('members.title')}</h1>}
        </div>
        <Allowed request={manage('create')}>
          <Button variant="primary" onClick={() => setAdding(true)}>{t('members.add')}</Button>
        </Allowed>
      </div>
      <ListPage<Member>
        label={t('members.title')}
        reloadKey={`${listPath}/${reload}`}
        load={(q: ListQuery, signal) => api.list<Member>(listPath, { page: q.page, limit: q.limit, name: q.name }, signal)}
        rowKey={memberId}
        height={height}
        emptyText={t('members.none')}
        columns={[
          { id: 'who', header: t('members.member'), width: '3fr',
            render: (m) => (m.user ? m.user : <>{m.group} <span className="badge">{t('members.group')}</span></>) },
          { id: 'role', header: t('members.role'), width: '2fr', render: (m) => m.role },
          { id: 'actions', header: t('common.actions'),
            render: (m) => (
              <Allowed request={manage('delete')}>
                <Button variant="ghost" onClick={() => setRemoving(m)} aria-label={t('members.removeNamed', { name: memberId(m) })}>
                  {t('members.remove')}
                </Button>
              </Allowed>
            ) },
        ]}
      />
      {adding && (
        <AddMemberDialog listPath={listPath} rolesPath={rolesPath} roleLevel={roleLevel} onClose={() => setAdding(false)}
          onDenied={(e) => observeError(manage('create'), e)}
          onAdded={() => { setAdding(false); setReload((x) => x + 1); }} />
      )}
      {removing && (
        <ConfirmDialog
          title={t('members.removeTitle')}
          body={t('members.removeBody', { name: memberId(removing) })}
          confirmLabel={t('members.remove')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            try {
              await api.delete(itemPath(memberId(removing)));
            } catch (e) {
              throw observeError(manage('delete'), e);
            }
            toast('success', t('members.removed', { name: memberId(removing) }));
            setReload((x) => x + 1);
          }}
        />
      )}
    </div>
  );
}

// The server names a member's fields plainly (user, group, role) or under member. (member.user).
export const memberField = (field: string): string | null => {
  const f = field.startsWith('member.') ? field.slice('member.'.length) : field;
  return f === 'user' || f === 'group' || f === 'role' ? f : null;
};

export function AddMemberDialog({ listPath, rolesPath, roleLevel, onClose, onAdded, onDenied }: {
  listPath: string;
  rolesPath: string;
  roleLevel?: string;
  onClose: () => void;
  onAdded: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const roles = useFetch((signal) => api.list<Role>(rolesPath, { limit: 1000 }, signal), [api, rolesPath]);
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const roleNames = (roles.data?.items ?? [])
    .filter((r) => !roleLevel || r.spec?.level === roleLevel)
    .map((r) => r.metadata.name);
  const chosenRole = role || roleNames[0] || '';
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => ({
      ...(name.trim() ? {} : { [kind]: 'validation.required' as const }),
      ...(chosenRole ? {} : { role: 'validation.required' as const }),
    }),
    send: async () => {
      await api.post(listPath, { [kind]: name.trim(), role: chosenRole });
      toast('success', t('members.added', { name: name.trim() }));
      onAdded();
    },
    onError: onDenied,
    // The name field shows the causes of the kind chosen.
    fields: (field) => {
      const f = memberField(field);
      return f === 'role' || f === kind ? f : null;
    },
  });
  return (
    <Dialog title={t('members.add')} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error ?? roles.error} shownFields={placed} />
        <SelectField label={t('members.kind')} value={kind} onChange={(e) => setKind(e.target.value as 'user' | 'group')}
          options={[{ value: 'user', label: t('members.user') }, { value: 'group', label: t('members.group') }]} />
        <TextField label={kind === 'user' ? t('members.userName') : t('members.groupName')} value={name}
          onChange={(e) => setName(e.target.value)} error={errors[kind]} autoComplete="off" />
        <SelectField label={t('members.role')} value={chosenRole} onChange={(e) => setRole(e.target.value)}
          options={roleNames.map((r) => ({ value: r, label: r }))} error={errors.role} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('members.add')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
