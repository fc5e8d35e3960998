// Platform > Groups: local groups and the LDAP groups they map; creating, changing the members of, and
// deleting a group (PATCH spec.members replaces the list).
import { useState } from 'react';
import { Allowed, useAccess } from '../../access/context';
import { type AccessRequest, platformScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { Group } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { checkSubdomain } from '../../components/validation';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

const groupAccess = (verb: string): AccessRequest => ({ verb, group: 'iam.atrium.io', resource: 'groups', scope: platformScope });

export interface GroupForm {
  name: string;
  displayName: string;
  members: string; // one user name per line (or separated by commas)
}

export const parseMembers = (text: string): string[] =>
  Array.from(new Set(text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)));

// Checks before sending: the name (when creating) and each member's user name.
export function validateGroup(f: GroupForm, creating: boolean): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  if (creating) {
    const n = checkSubdomain(f.name);
    if (n) out['metadata.name'] = n;
  }
  const bad = parseMembers(f.members).find((m) => checkSubdomain(m) !== null);
  if (bad !== undefined) out['spec.members'] = 'groups.badMember';
  return out;
}

export default function Groups() {
  const { t, locale } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const [reload, setReload] = useState(0);
  return (
    <div>
      <div className="page-header">
        <h1>{t('groups.title')}</h1>
        <Allowed request={groupAccess('create')}>
          <Button variant="primary" onClick={() => setEditing('new')}>{t('groups.create')}</Button>
        </Allowed>
      </div>
      <ListPage<Group>
        label={t('groups.title')}
        reloadKey={reload}
        load={(q, signal) => api.list<Group>(paths.groups, { ...q }, signal)}
        rowKey={(g) => g.metadata.name}
        emptyText={t('groups.none')}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr', render: (g) => g.metadata.name },
          { id: 'display', header: t('common.displayName'), width: '2fr', render: (g) => g.spec?.displayName },
          { id: 'members', header: t('groups.members'), width: '3fr', render: (g) => (g.spec?.members ?? []).join(', ') },
          { id: 'ldap', header: t('groups.ldapGroup'), width: '2fr', render: (g) => g.spec?.ldapGroup },
          { id: 'age', header: t('common.created'), sortKey: 'creationTimestamp', render: (g) => age(g.metadata.creationTimestamp, locale) },
          { id: 'actions', header: t('common.actions'), width: '2fr', render: (g) => (
              <>
                <Allowed request={groupAccess('patch')}>
                  <Button variant="ghost" onClick={() => setEditing(g)} aria-label={t('groups.editNamed', { name: g.metadata.name })}>
                    {t('groups.edit')}
                  </Button>
                </Allowed>
                <Allowed request={groupAccess('delete')}>
                  <Button variant="ghost" onClick={() => setDeleting(g)} aria-label={t('common.deleteNamed', { name: g.metadata.name })}>
                    {t('common.delete')}
                  </Button>
                </Allowed>
              </>
            ) },
        ]}
      />
      {editing && (
        <GroupDialog group={editing === 'new' ? null : editing} onClose={() => setEditing(null)}
          onSaved={() => { setEditing(null); setReload((x) => x + 1); }} />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('common.deleteTitle', { name: deleting.metadata.name })}
          body={t('groups.deleteBody', { name: deleting.metadata.name })}
          confirmLabel={t('common.delete')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            try {
              await api.delete(paths.group(deleting.metadata.name));
            } catch (e) {
              throw observeError(groupAccess('delete'), e);
            }
            toast('success', t('common.deleted', { name: deleting.metadata.name }));
            setReload((x) => x + 1);
          }}
        />
      )}
    </div>
  );
}

export function GroupDialog({ group, onClose, onSaved }: { group: Group | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const creating = group === null;
  const [f, setF] = useState<GroupForm>({
    name: group?.metadata.name ?? '',
    displayName: group?.spec?.displayName ?? '',
    members: (group?.spec?.members ?? []).join('\n'),
  });
  // A cause on one member (spec.members[1]) is shown on the members field with its path.
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateGroup(f, creating),
    send: async () => {
      const spec = { displayName: f.displayName || undefined, members: parseMembers(f.members) };
      if (creating) await api.post(paths.groups, { metadata: { name: f.name }, spec });
      else await api.patch(paths.group(group.metadata.name), { spec: { ...spec, displayName: f.displayName } });
      toast('success', t(creating ? 'groups.created' : 'groups.saved', { name: f.name }));
      onSaved();
    },
    onError: (e) => observeError(groupAccess(creating ? 'create' : 'patch'), e),
    fields: ['metadata.name', 'spec.displayName', 'spec.members'],
    lists: ['spec.members'],
  });
  return (
    <Dialog title={creating ? t('groups.create') : t('groups.editTitle', { name: f.name })} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        {creating && (
          <TextField label={t('common.name')} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })}
            error={errors['metadata.name']} autoComplete="off" />
        )}
        <TextField label={t('common.displayName')} value={f.displayName}
          onChange={(e) => setF({ ...f, displayName: e.target.value })} error={errors['spec.displayName']} />
        <TextAreaField label={t('groups.members')} value={f.members} rows={5} hint={t('groups.membersHint')}
          onChange={(e) => setF({ ...f, members: e.target.value })} error={errors['spec.members']} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{creating ? t('common.create') : t('common.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
