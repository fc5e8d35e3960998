// Rows of keys and values (labels, quotas, ConfigMap and Secret data) as forms edit them, and their checks.
// The checks mirror the server's (src/core/validation.cc); its Status causes are still shown per field.
import type { MessageKey } from '../i18n';
import { checkQuantity } from './validation';

export interface KeyValue {
  key: string;
  value: string;
}

export type RowErrors = Record<string, MessageKey>; // "0.key", "2.value"

const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const configKey = /^[-._a-zA-Z0-9]+$/;
// ResourceQuota names: "pods", "limits.cpu", "requests.storage", "count/deployments.apps", "requests.nvidia.com/gpu".
const quotaName = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

// A Kubernetes label (or taint) key: [prefix/]name, the prefix a DNS subdomain, the name at most 63 characters.
export function checkLabelKey(k: string): MessageKey | null {
  if (!k) return 'validation.required';
  const slash = k.lastIndexOf('/');
  const prefix = slash < 0 ? '' : k.slice(0, slash);
  const name = slash < 0 ? k : k.slice(slash + 1);
  if (slash >= 0 && (!prefix || prefix.length > 253 || !dnsSubdomain.test(prefix))) return 'validation.labelKey';
  if (!name || name.length > 63 || !labelName.test(name)) return 'validation.labelKey';
  return null;
}

export function checkLabelValue(v: string): MessageKey | null {
  if (!v) return null;
  return v.length <= 63 && labelName.test(v) ? null : 'validation.labelValue';
}

export function checkConfigKey(k: string): MessageKey | null {
  if (!k) return 'validation.required';
  return k.length <= 253 && configKey.test(k) ? null : 'validation.configKey';
}

export function checkQuotaName(k: string): MessageKey | null {
  if (!k) return 'validation.required';
  return k.length <= 253 && quotaName.test(k) ? null : 'validation.quotaName';
}

export function checkQuotaValue(v: string): MessageKey | null {
  if (!v.trim()) return 'validation.required';
  return checkQuantity(v.trim());
}

// Every row checked, and a key used twice marked on its second use.
export function validateRows(
  rows: KeyValue[],
  checkKey: (k: string) => MessageKey | null,
  checkValue: (v: string) => MessageKey | null,
): RowErrors {
  const out: RowErrors = {};
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const k = checkKey(r.key.trim());
    if (k) out[`${i}.key`] = k;
    else if (seen.has(r.key.trim())) out[`${i}.key`] = 'validation.duplicateKey';
    seen.add(r.key.trim());
    const v = checkValue(r.value);
    if (v) out[`${i}.value`] = v;
  });
  return out;
}

export const toRows = (m: Record<string, string> | undefined): KeyValue[] =>
  Object.entries(m ?? {}).map(([key, value]) => ({ key, value }));

export const toMap = (rows: KeyValue[]): Record<string, string> =>
  Object.fromEntries(rows.map((r) => [r.key.trim(), r.value]));

// A JSON merge patch of a map (RFC 7386): new and changed keys set, removed keys null.
export function mapPatch(before: Record<string, string> | undefined, after: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of Object.keys(before ?? {})) if (!(k in after)) out[k] = null;
  for (const [k, v] of Object.entries(after)) if (before?.[k] !== v) out[k] = v;
  return out;
}

// A server cause such as `labels["a"]`, `spec.quota.hard["pods"]` or `data["x"]`: the key it names.
export function causeKey(field: string): string | null {
  const m = /\["([^"]*)"\]$/.exec(field);
  return m ? m[1] : null;
}

// The row a server cause names (`labels["a"]`: the row whose key is "a"), or -1.
export function causeRow(rows: KeyValue[], field: string): number {
  const key = causeKey(field);
  return key === null ? -1 : rows.findIndex((r) => r.key.trim() === key);
}
