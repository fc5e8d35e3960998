// Personal API tokens for the CLI and scripts: list, create (the text is shown once), revoke.
import { useState } from 'react';
import { paths } from '../api/endpoints';
import type { ListResult } from '../api/client';
import type { ApiToken, CreatedToken } from '../api/types';
import { useApi } from '../app/context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBanner } from '../components/ErrorBanner';
import { dateTime } from '../components/format';
import { useForm } from '../components/useForm';
import { useFetch } from '../hooks/useFetch';
import { type MessageKey, useI18n } from '../i18n';
import { Banner } from '../ui/Banner';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { useToast } from '../ui/Toast';

const lifetimes = [
  { value: '86400', key: 'tokens.lifetime1d' },
  { value: '2592000', key: 'tokens.lifetime30d' },
  { value: '7776000', key: 'tokens.lifetime90d' },
  { value: '31536000', key: 'tokens.lifetime1y' },
] as const;

export default function Tokens() {
  const { t, locale } = useI18n();
  const api = useApi();
  const toast = useToast();
  const list = useFetch((signal) => api.get<ListResult<ApiToken>>(paths.tokens, { signal }), [api]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [changingPassword, setChangingPassword] = useState(false);

  return (
    <div>
      <div className="page-header">
        <h1>{t('tokens.title')}</h1>
        <Button onClick={() => setChangingPassword(true)}>{t('account.changePassword')}</Button>
        <Button variant="primary" onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      </div>
      <p className="muted">{t('tokens.intro')}</p>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.data && list.data.items.length === 0 && <p className="muted">{t('tokens.none')}</p>}
      {list.data && list.data.items.length > 0 && (
        <table className="table" style={{ width: '100%', borderCollapse: 'collapse' }}>
          <caption className="visually-hidden">{t('tokens.title')}</caption>
          <thead>
            <tr className="thead-row">
              <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('tokens.description')}</th>
              <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('tokens.created')}</th>
              <th scope="col" className="th" style={{ textAlign: 'left' }}>{t('tokens.expires')}</th>
              <th scope="col" className="th"><span className="visually-hidden">{t('common.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((tok) => (
              <tr key={tok.id}>
                <td className="td">{tok.description || <span className="muted">{tok.id}</span>}</td>
                <td className="td">{dateTime(tok.createdAt, locale)}</td>
                <td className="td">{dateTime(tok.expiresAt, locale)}</td>
                <td className="td" style={{ textAlign: 'right' }}>
                  <Button
                    variant="ghost"
                    onClick={() => setRevoking(tok)}
                    aria-label={t('tokens.revokeNamed', { name: tok.description || tok.id })}
                  >
                    {t('tokens.revoke')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            list.reload();
          }}
        />
      )}
      {created && (
        <Dialog
          title={t('tokens.createdTitle')}
          onClose={() => setCreated(null)}
          footer={<Button variant="primary" onClick={() => setCreated(null)}>{t('common.done')}</Button>}
        >
          <Banner tone="warning" title={t('tokens.copyNow')} />
          <TextField label={t('tokens.token')} readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
          <Button
            onClick={() => {
              void navigator.clipboard?.writeText(created.token).then(
                () => toast('success', t('tokens.copied')),
                () => toast('error', t('tokens.copyFailed')),
              );
            }}
          >
            {t('tokens.copy')}
          </Button>
        </Dialog>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('tokens.revokeTitle')}
          body={t('tokens.revokeBody', { name: revoking.description || revoking.id })}
          confirmLabel={t('tokens.revoke')}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.delete(paths.token(revoking.id));
            toast('success', t('tokens.revoked'));
            list.reload();
          }}
        />
      )}
      {changingPassword && <OwnPasswordDialog onClose={() => setChangingPassword(false)} />}
    </div>
  );
}

export function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (t: CreatedToken) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [description, setDescription] = useState('');
  const [lifetime, setLifetime] = useState('2592000');
  const { errors, error, placed, busy, onSubmit } = useForm({
    send: async () => onCreated(await api.post<CreatedToken>(paths.tokens, { description, expiresInSeconds: Number(lifetime) })),
    fields: ['description', 'expiresInSeconds'],
  });
  return (
    <Dialog title={t('tokens.create')} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <TextField
          label={t('tokens.description')}
          value={description}
          maxLength={200}
          onChange={(e) => setDescription(e.target.value)}
          error={errors.description}
        />
        <SelectField
          label={t('tokens.lifetime')}
          value={lifetime}
          onChange={(e) => setLifetime(e.target.value)}
          options={lifetimes.map((l) => ({ value: l.value, label: t(l.key) }))}
          error={errors.expiresInSeconds}
        />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {t('tokens.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

// The signed-in user's own password (POST /api/v1/password with the current one; local users only).
export function validateOwnPassword(current: string, next: string, repeat: string): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  if (!current) out.currentPassword = 'validation.required';
  if (!next) out.newPassword = 'validation.required';
  else if (next !== repeat) out.repeat = 'users.passwordMismatch';
  return out;
}

export function OwnPasswordDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateOwnPassword(current, next, repeat),
    send: async () => {
      await api.post(paths.password, { currentPassword: current, newPassword: next });
      toast('success', t('account.passwordChanged'));
      onClose();
    },
    fields: ['currentPassword', 'newPassword'],
  });
  return (
    <Dialog title={t('account.changePassword')} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <TextField label={t('account.currentPassword')} type="password" autoComplete="current-password" value={current}
          onChange={(e) => setCurrent(e.target.value)} error={errors.currentPassword} />
        <TextField label={t('account.newPassword')} type="password" autoComplete="new-password" value={next}
          onChange={(e) => setNext(e.target.value)} error={errors.newPassword} hint={t('users.passwordHint')} />
        <TextField label={t('account.repeatPassword')} type="password" autoComplete="new-password" value={repeat}
          onChange={(e) => setRepeat(e.target.value)} error={errors.repeat} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
