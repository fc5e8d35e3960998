// Platform > Users: local and LDAP users, and creating a local one.
import { useState } from 'react';
import { Allowed, useAccess } from '../../access/context';
import { platformScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import type { User } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age, dateTime } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useForm } from '../../components/useForm';
import { checkSubdomain } from '../../components/validation';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

const createUser = { verb: 'create', group: 'iam.atrium.io', resource: 'users', scope: platformScope };
const patchUser = { verb: 'patch', group: 'iam.atrium.io', resource: 'users', scope: platformScope };

export default function Users() {
  const { t, locale } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [creating, setCreating] = useState(false);
  const [password, setPassword] = useState<User | null>(null);
  const [toggling, setToggling] = useState<User | null>(null);
  const [reload, setReload] = useState(0);
  return (
    <div>
      <div className="page-header">
        <h1>{t('users.title')}</h1>
        <Allowed request={createUser}>
          <Button variant="primary" onClick={() => setCreating(true)}>{t('users.create')}</Button>
        </Allowed>
      </div>
      <ListPage<User>
        label={t('users.title')}
        reloadKey={reload}
        load={(q, signal) => api.list<User>(paths.users, { ...q }, signal)}
        rowKey={(u) => u.metadata.name}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr', render: (u) => u.metadata.name },
          { id: 'display', header: t('common.displayName'), width: '2fr', render: (u) => u.spec?.displayName },
          { id: 'email', header: t('users.email'), width: '2fr', render: (u) => u.spec?.email },
          { id: 'state', header: t('users.state'),
            render: (u) => (u.spec?.state === 'Disabled' ? t('users.disabled') : t('users.active')) },
          { id: 'source', header: t('users.source'), render: (u) => (u.spec?.source === 'ldap' ? 'LDAP' : t('users.local')) },
          { id: 'login', header: t('users.lastLogin'), width: '2fr', render: (u) => dateTime(u.status?.lastLoginTime, locale) },
          { id: 'age', header: t('common.created'), sortKey: 'creationTimestamp',
            render: (u) => age(u.metadata.creationTimestamp, locale) },
          { id: 'actions', header: t('common.actions'), width: '3fr', render: (u) => (
              <Allowed request={patchUser}>
                <Button variant="ghost" onClick={() => setToggling(u)}
                  aria-label={t(u.spec?.state === 'Disabled' ? 'users.enableNamed' : 'users.disableNamed', { name: u.metadata.name })}>
                  {u.spec?.state === 'Disabled' ? t('users.enable') : t('users.disable')}
                </Button>
                {u.spec?.source !== 'ldap' && (
                  <Button variant="ghost" onClick={() => setPassword(u)} aria-label={t('users.setPasswordNamed', { name: u.metadata.name })}>
                    {t('users.setPassword')}
                  </Button>
                )}
              </Allowed>
            ) },
        ]}
      />
      {creating && <CreateUserDialog onClose={() => setCreating(false)} onCreated={() => { setCreating(false); setReload((x) => x + 1); }} />}
      {password && <PasswordDialog user={password} onClose={() => setPassword(null)} />}
      {toggling && (
        <ConfirmDialog
          title={t(toggling.spec?.state === 'Disabled' ? 'users.enableNamed' : 'users.disableNamed', { name: toggling.metadata.name })}
          body={toggling.spec?.state === 'Disabled' ? t('users.enableBody', { name: toggling.metadata.name }) : t('users.disableBody', { name: toggling.metadata.name })}
          confirmLabel={toggling.spec?.state === 'Disabled' ? t('users.enable') : t('users.disable')}
          onClose={() => setToggling(null)}
          onConfirm={async () => {
            const state = toggling.spec?.state === 'Disabled' ? 'Active' : 'Disabled';
            try {
              await api.patch(paths.user(toggling.metadata.name), { spec: { state } });
            } catch (e) {
              throw observeError(patchUser, e);
            }
            toast('success', t(state === 'Disabled' ? 'users.disabledNamed' : 'users.enabledNamed', { name: toggling.metadata.name }));
            setReload((x) => x + 1);
          }}
        />
      )}
    </div>
  );
}

// A new local user needs a name and a password (the server applies its password policy).
export function validateUser(f: { name: string; password: string }): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const n = checkSubdomain(f.name);
  if (n) out['metadata.name'] = n;
  if (!f.password) out['spec.password'] = 'validation.required';
  return out;
}

export function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [form, setForm] = useState({ name: '', displayName: '', email: '', password: '' });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateUser(form),
    send: async () => {
      await api.post(paths.users, {
        metadata: { name: form.name },
        spec: { displayName: form.displayName || undefined, email: form.email || undefined, password: form.password },
      });
      toast('success', t('users.created', { name: form.name }));
      onCreated();
    },
    onError: (e) => observeError(createUser, e),
    fields: ['metadata.name', 'spec.displayName', 'spec.email', 'spec.password'],
  });
  return (
    <Dialog title={t('users.create')} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <TextField label={t('common.name')} value={form.name} onChange={set('name')} error={errors['metadata.name']} autoComplete="off" />
        <TextField label={t('common.displayName')} value={form.displayName} onChange={set('displayName')} error={errors['spec.displayName']} />
        <TextField label={t('users.email')} type="email" value={form.email} onChange={set('email')} error={errors['spec.email']} />
        <TextField label={t('login.password')} type="password" autoComplete="new-password" value={form.password}
          onChange={set('password')} error={errors['spec.password']} hint={t('users.passwordHint')} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.create')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

// A new password for a local user (PATCH spec.password; the server applies its password policy).
export function validatePassword(password: string, repeat: string): Record<string, MessageKey> {
  if (!password) return { 'spec.password': 'validation.required' };
  if (password !== repeat) return { repeat: 'users.passwordMismatch' };
  return {};
}

export function PasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validatePassword(password, repeat),
    send: async () => {
      await api.patch(paths.user(user.metadata.name), { spec: { password } });
      toast('success', t('users.passwordSet', { name: user.metadata.name }));
      onClose();
    },
    onError: (e) => observeError(patchUser, e),
    fields: ['spec.password'],
  });
  return (
    <Dialog title={t('users.setPasswordNamed', { name: user.metadata.name })} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <TextField label={t('users.newPassword')} type="password" autoComplete="new-password" value={password}
          onChange={(e) => setPassword(e.target.value)} error={errors['spec.password']} hint={t('users.passwordHint')} />
        <TextField label={t('users.repeatPassword')} type="password" autoComplete="new-password" value={repeat}
          onChange={(e) => setRepeat(e.target.value)} error={errors.repeat} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('users.setPassword')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
