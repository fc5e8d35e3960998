// Node actions of the cluster page: drain (confirmed by typing the node's name; the server cordons it and
// evicts its pods, and answers with each pod's fate, also inside a failure Status), labels and taints.
import { useRef, useState } from 'react';
import { paths } from '../../api/endpoints';
import { ApiError } from '../../api/errors';
import type { KubeObject, NodeDrain, PodRef, Taint } from '../../api/types';
import { useApi } from '../../app/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { causeRow, checkLabelKey, checkLabelValue, type KeyValue, mapPatch, toMap, toRows, validateRows } from '../../components/keyValues';
import { useForm } from '../../components/useForm';
import { type MessageKey, useI18n } from '../../i18n';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SelectField, TextField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';

export type Node = KubeObject<
  { unschedulable?: boolean; taints?: Taint[] },
  { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string; osImage?: string } }
>;

// The per-pod lists of a drain answer: the 200 body, or the fields a failure Status carries next to its message.
export function drainResult(x: unknown): NodeDrain | null {
  const body = x instanceof ApiError ? x.body : (x as Record<string, unknown> | null);
  if (!body || typeof body !== 'object') return null;
  const lists = ['evicted', 'skipped', 'failed', 'terminating'] as const;
  if (!lists.some((k) => Array.isArray(body[k]))) return null;
  return body as unknown as NodeDrain;
}

function PodList({ title, pods, tone }: { title: string; pods?: PodRef[]; tone?: string }) {
  if (!pods?.length) return null;
  return (
    <section aria-label={title}>
      <h3>{title} <span className={`badge ${tone ?? ''}`}>{pods.length}</span></h3>
      <ul>
        {pods.map((p) => (
          <li key={`${p.namespace}/${p.name}`}>
            <span className="mono">{p.namespace}/{p.name}</span>
            {p.reason && <span className="muted"> — {p.reason}{p.code ? ` (${p.code})` : ''}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DrainResult({ result }: { result: NodeDrain }) {
  const { t } = useI18n();
  const none = !result.evicted?.length && !result.skipped?.length && !result.failed?.length && !result.terminating?.length;
  return (
    <div>
      {none && <p>{t('nodes.drainNothing')}</p>}
      <PodList title={t('nodes.evicted')} pods={result.evicted} tone="badge-ok" />
      <PodList title={t('nodes.failedPods')} pods={result.failed} tone="badge-bad" />
      <PodList title={t('nodes.terminating')} pods={result.terminating} tone="badge-warn" />
      <PodList title={t('nodes.skipped')} pods={result.skipped} />
    </div>
  );
}

export function DrainDialog({ cluster, node, onClose, onDone, onDenied }: {
  cluster: string;
  node: string;
  onClose: () => void;
  onDone: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const [result, setResult] = useState<{ drain: NodeDrain; error?: unknown } | null>(null);
  const answered = useRef(false); // the confirmation closes itself on success: the result replaces it instead
  if (result) {
    return (
      <Dialog title={t('nodes.drainResult', { name: node })} onClose={onClose} wide
        footer={<Button onClick={onClose}>{t('common.close')}</Button>}>
        <ErrorBanner error={result.error} />
        <DrainResult result={result.drain} />
      </Dialog>
    );
  }
  return (
    <ConfirmDialog
      title={t('nodes.drainNamed', { name: node })}
      body={t('nodes.drainBody', { name: node })}
      confirmLabel={t('nodes.drain')}
      typeToConfirm={node}
      onClose={() => !answered.current && onClose()}
      onConfirm={async () => {
        try {
          const r = await api.post<NodeDrain>(`${paths.node(cluster, node)}/drain`, {});
          toast('success', t('nodes.drained', { name: node }));
          answered.current = true;
          setResult({ drain: r });
        } catch (e) {
          onDenied(e);
          const d = drainResult(e);
          if (!d) throw e;
          answered.current = true;
          setResult({ drain: d, error: e });
        }
        onDone();
      }}
    />
  );
}

export function validateLabels(rows: KeyValue[]): Record<string, MessageKey> {
  return validateRows(rows, checkLabelKey, checkLabelValue);
}

export function LabelsDialog({ cluster, node, onClose, onSaved, onDenied }: {
  cluster: string;
  node: Node;
  onClose: () => void;
  onSaved: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const [rows, setRows] = useState<KeyValue[]>(toRows(node.metadata.labels));
  // A server cause such as metadata.labels["zone"] goes to the key of that label's row.
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateLabels(rows),
    send: async () => {
      const patch = mapPatch(node.metadata.labels, toMap(rows));
      if (Object.keys(patch).length === 0) return onClose();
      await api.patch(`${paths.node(cluster, node.metadata.name)}/labels`, patch);
      toast('success', t('nodes.labelsSaved', { name: node.metadata.name }));
      onSaved();
    },
    onError: onDenied,
    fields: (field) => {
      const i = causeRow(rows, field);
      return i >= 0 ? `${i}.key` : null;
    },
  });
  return (
    <Dialog title={t('nodes.labelsOf', { name: node.metadata.name })} onClose={onClose} wide>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <KeyValueEditor legend={t('nodes.labels')} rows={rows} onChange={setRows} errors={errors}
          keyLabel={t('kv.key')} valueLabel={t('kv.value')} addLabel={t('nodes.addLabel')} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

const effects: Taint['effect'][] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaints(taints: Taint[]): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  const seen = new Set<string>();
  taints.forEach((x, i) => {
    const k = checkLabelKey(x.key.trim());
    if (k) out[`[${i}].key`] = k;
    const v = checkLabelValue(x.value ?? '');
    if (v) out[`[${i}].value`] = v;
    if (!effects.includes(x.effect)) out[`[${i}].effect`] = 'validation.required';
    const id = `${x.key.trim()}:${x.effect}`;
    if (!k && seen.has(id)) out[`[${i}].key`] = 'nodes.duplicateTaint';
    seen.add(id);
  });
  return out;
}

// Where a server cause on the taints is shown: "[1].key", "[1].value" and "[1].effect" on that row's control, a
// duplicate ("[1]") on its key as the form's own check puts it; the rest ("[1].timeAdded", "") in the banner.
export function taintField(field: string, count: number): string | null {
  const m = /^\[(\d+)\](?:\.(key|value|effect))?$/.exec(field);
  return m && Number(m[1]) < count ? `[${m[1]}].${m[2] ?? 'key'}` : null;
}

export function TaintsDialog({ cluster, node, onClose, onSaved, onDenied }: {
  cluster: string;
  node: Node;
  onClose: () => void;
  onSaved: () => void;
  onDenied: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const [taints, setTaints] = useState<Taint[]>(node.spec?.taints ?? []);
  const set = (i: number, p: Partial<Taint>) => setTaints(taints.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const { errors, error, placed, busy, onSubmit } = useForm({
    validate: () => validateTaints(taints),
    send: async () => {
      await api.patch(`${paths.node(cluster, node.metadata.name)}/taints`,
        taints.map((x) => ({ ...x, key: x.key.trim(), value: x.value || undefined })));
      toast('success', t('nodes.taintsSaved', { name: node.metadata.name }));
      onSaved();
    },
    onError: onDenied,
    fields: (field) => taintField(field, taints.length),
  });
  return (
    <Dialog title={t('nodes.taintsOf', { name: node.metadata.name })} onClose={onClose} wide>
      <form onSubmit={onSubmit} noValidate>
        <ErrorBanner error={error} shownFields={placed} />
        <fieldset>
          <legend>{t('nodes.taints')}</legend>
          {taints.length === 0 && <p className="muted">{t('kv.none')}</p>}
          {taints.map((x, i) => (
            <div className="kv-row" key={i}>
              <TextField label={t('nodes.taintKey', { n: i + 1 })} value={x.key} autoComplete="off"
                onChange={(e) => set(i, { key: e.target.value })} error={errors[`[${i}].key`]} />
              <TextField label={t('nodes.taintValue', { n: i + 1 })} value={x.value ?? ''} autoComplete="off"
                onChange={(e) => set(i, { value: e.target.value })} error={errors[`[${i}].value`]} />
              <SelectField label={t('nodes.taintEffect', { n: i + 1 })} value={x.effect}
                onChange={(e) => set(i, { effect: e.target.value as Taint['effect'] })}
                options={effects.map((v) => ({ value: v, label: v }))} error={errors[`[${i}].effect`]} />
              <Button variant="ghost" onClick={() => setTaints(taints.filter((_, j) => j !== i))} aria-label={t('kv.removeRow', { n: i + 1 })}>
                {t('common.remove')}
              </Button>
            </div>
          ))}
          <Button onClick={() => setTaints([...taints, { key: '', value: '', effect: 'NoSchedule' }])}>{t('nodes.addTaint')}</Button>
        </fieldset>
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
