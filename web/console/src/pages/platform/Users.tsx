// Platform > Users: local and LDAP users, and creating a local one.
import { useState, type FormEvent } from 'react';
import { Allowed, useAccess } from '../../access/context';
import { platformScope } from '../../access/rules';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import type { User } from '../../api/types';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { age, dateTime } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { checkSubdomain } from '../../components/validation';
import { useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

const createUser = { verb: 'create', group: 'iam.atrium.io', resource: 'users', scope: platformScope };

export default function Users() {
  const { t, locale } = useI18n();
  const api = useApi();
  const [creating, setCreating] = useState(false);
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
        ]}
      />
      {creating && <CreateUserDialog onClose={() => setCreating(false)} onCreated={() => { setCreating(false); setReload((x) => x + 1); }} />}
    </div>
  );
}

function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const { observeError } = useAccess();
  const [form, setForm] = useState({ name: '', displayName: '', email: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const n = checkSubdomain(form.name);
    if (n) local['metadata.name'] = t(n);
    if (!form.password) local['spec.password'] = t('validation.required');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.post(paths.users, {
        metadata: { name: form.name },
        spec: { displayName: form.displayName || undefined, email: form.email || undefined, password: form.password },
      });
      toast('success', t('users.created', { name: form.name }));
      onCreated();
    } catch (err) {
      observeError(createUser, err);
      setBusy(false);
      setError(err);
      if (err instanceof ApiError) setErrors(err.fieldErrors());
    }
  };
  const shown = ['metadata.name', 'spec.displayName', 'spec.email', 'spec.password'];
  return (
    <Dialog title={t('users.create')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} shownFields={shown} />
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
