// Editable rows of key and value with add and remove; each control labelled with its row number, each error
// tied to its control (ui/Field).
import { useT } from '../i18n';
import { Button } from '../ui/Button';
import { TextAreaField, TextField } from '../ui/Field';
import type { KeyValue } from './keyValues';

export function KeyValueEditor({ legend, rows, onChange, errors = {}, keyLabel, valueLabel, addLabel, secret, multiline,
  keyPlaceholder, valuePlaceholder }: {
  legend: string;
  rows: KeyValue[];
  onChange: (rows: KeyValue[]) => void;
  errors?: Record<string, string>; // "0.key", "0.value"
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  secret?: boolean;
  multiline?: boolean;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
}) {
  const t = useT();
  const set = (i: number, patch: Partial<KeyValue>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="kv-editor">
      <legend>{legend}</legend>
      {rows.length === 0 && <p className="muted">{t('kv.none')}</p>}
      {rows.map((r, i) => (
        <div className="kv-row" key={i}>
          <TextField label={`${keyLabel} ${i + 1}`} value={r.key} placeholder={keyPlaceholder} autoComplete="off"
            onChange={(e) => set(i, { key: e.target.value })} error={errors[`${i}.key`]} />
          {multiline ? (
            <TextAreaField label={`${valueLabel} ${i + 1}`} value={r.value} rows={2} placeholder={valuePlaceholder}
              onChange={(e) => set(i, { value: e.target.value })} error={errors[`${i}.value`]} />
          ) : (
            <TextField label={`${valueLabel} ${i + 1}`} value={r.value} placeholder={valuePlaceholder} autoComplete="off"
              type={secret ? 'password' : 'text'} onChange={(e) => set(i, { value: e.target.value })} error={errors[`${i}.value`]} />
          )}
          <Button variant="ghost" onClick={() => onChange(rows.filter((_, j) => j !== i))}
            aria-label={t('kv.removeRow', { n: i + 1 })}>
            {t('common.remove')}
          </Button>
        </div>
      ))}
      <Button onClick={() => onChange([...rows, { key: '', value: '' }])}>{addLabel}</Button>
    </fieldset>
  );
}
