// Editing a quota's hard limits (resource name → quantity): a project's spec.quota.hard (the namespace's
// ResourceQuota) or a workspace's spec.quotas[] entry for one cluster (the sum its projects may not exceed).
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/errors';
import type { Quantities } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { causeKey, checkQuotaName, checkQuotaValue, type KeyValue, toMap, toRows, validateRows } from '../../components/keyValues';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';

export function validateQuota(rows: KeyValue[]): Record<string, MessageKey> {
  return validateRows(rows, checkQuotaName, checkQuotaValue);
}

export function QuotaDialog({ title, hard, save, onClose, onDenied }: {
  title: string;
  hard: Quantities | undefined;
  save: (hard: Quantities) => Promise<void>; // resolves when stored
  onClose: () => void;
  onDenied?: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const [rows, setRows] = useState<KeyValue[]>(() => {
    const r = toRows(hard);
    return r.length ? r : [{ key: 'limits.cpu', value: '' }, { key: 'limits.memory', value: '' }, { key: 'pods', value: '' }];
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [placed, setPlaced] = useState<string[]>([]); // server causes shown on a row
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = validateQuota(rows);
    setErrors(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, t(v)])));
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await save(Object.fromEntries(Object.entries(toMap(rows)).map(([k, v]) => [k, v.trim()])));
    } catch (err) {
      onDenied?.(err);
      setBusy(false);
      setError(err);
      if (err instanceof ApiError) {
        const out: Record<string, string> = {};
        const placed: string[] = [];
        for (const [field, message] of Object.entries(err.fieldErrors())) {
          const i = rows.findIndex((r) => r.key.trim() === causeKey(field));
          if (i >= 0) {
            out[`${i}.value`] = message;
            placed.push(field);
          }
        }
        setErrors(out);
        setPlaced(placed);
      }
    }
  };
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <p className="muted">{t('quotas.editHint')}</p>
        <KeyValueEditor legend={t('quotas.hard')} rows={rows} onChange={setRows} errors={errors}
          keyLabel={t('quotas.resource')} valueLabel={t('quotas.limit')} addLabel={t('quotas.addLimit')}
          keyPlaceholder="requests.memory" valuePlaceholder="8Gi" />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
