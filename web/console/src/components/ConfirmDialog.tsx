// "Are you sure?" for destructive actions. With `typeToConfirm`, the user types the object's name first.
import { useState, type ReactNode } from 'react';
import { useT } from '../i18n';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { ErrorBanner } from './ErrorBanner';

export function ConfirmDialog({ title, body, confirmLabel, onConfirm, onClose, typeToConfirm }: {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  typeToConfirm?: string;
}) {
  const t = useT();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ready = !typeToConfirm || typed === typeToConfirm;
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="danger" onClick={() => void confirm()} disabled={!ready} busy={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} />
      <div>{body}</div>
      {typeToConfirm && (
        <TextField
          label={t('confirm.typeName', { name: typeToConfirm })}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
        />
      )}
    </Dialog>
  );
}
