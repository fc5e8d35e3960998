// Editing a quota's hard limits (resource name → quantity): a project's spec.quota.hard (the namespace's
// ResourceQuota) or a workspace's spec.quotas[] entry for one cluster (the sum its projects may not exceed).
import { useState } from 'react';
import type { Quantities } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { causeRow, checkQuotaName, checkQuotaValue, type KeyValue, toMap, toRows, validateRows } from '../../components/keyValues';
import { useForm } from '../../components/useForm';
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
  // A server cause such as spec.quota.hard["pods"] goes to the value of that resource's row.
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateQuota(rows),
    send: () => save(Object.fromEntries(Object.entries(toMap(rows)).map(([k, v]) => [k, v.trim()]))),
    onError: onDenied,
    fields: (field) => {
      const i = causeRow(rows, field);
      return i >= 0 ? `${i}.value` : null;
    },
  });
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form onSubmit={onSubmit} noValidate>
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
