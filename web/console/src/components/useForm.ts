// The part every form dialog repeats: its own checks before sending (their messages translated, each on its
// field), one request at a time, and what went wrong: the server's Status causes next to the fields they name,
// the rest (and the message) for the ErrorBanner, the failure handed to the caller first (a 403 hides the
// control that led here).
import { type FormEvent, useState } from 'react';
import { ApiError, type StatusCause } from '../api/errors';
import { type MessageKey, useT } from '../i18n';

export interface FormOptions {
  // The form's own checks: a message key by field, nothing when it may be sent.
  validate?: () => Record<string, MessageKey>;
  // Sends the form; resolves once the server took it.
  send: () => Promise<void>;
  // Sees every failure of `send` first (e.g. the access context's observeError).
  onError?: (e: unknown) => void;
  // Where a server cause is shown: the fields the form shows by their path in the object, or a function giving
  // the form's error key for a cause's field (null: not shown on a field, the banner lists it).
  fields: readonly string[] | ((field: string) => string | null);
  // List fields (e.g. 'spec.members') that also take the causes of their items ('spec.members[1]'), shown on
  // the list's field with the item's path ("spec.members[1]: user "zed" does not exist"); a cause on the list
  // itself is placed by `fields`. A field shows one message: the causes of other items are left to the banner.
  lists?: readonly string[];
  // The causes to place (default: the Status's own; e.g. also those read out of its message).
  causes?: (error: ApiError) => StatusCause[];
}

export interface FormState {
  // Error messages by the form's keys (the object's field paths unless `fields` maps them).
  errors: Record<string, string>;
  // The failed request, for <ErrorBanner error={…} shownFields={placed} />.
  error: unknown;
  // The server fields whose causes are shown next to a field (the banner leaves them out).
  placed: string[];
  busy: boolean;
  onSubmit: (e: FormEvent) => void;
  // Forgets the errors (after the form was filled again).
  reset: () => void;
}

export function placeCauses(
  causes: readonly StatusCause[],
  { fields, lists = [] }: Pick<FormOptions, 'fields' | 'lists'>,
): { errors: Record<string, string>; placed: string[] } {
  const at = typeof fields === 'function' ? fields : (f: string) => (fields.includes(f) ? f : null);
  const errors: Record<string, string> = {};
  const placed: string[] = [];
  for (const { field, message } of causes) {
    if (!field) continue;
    const list = lists.find((l) => field.startsWith(`${l}[`));
    const key = list ?? at(field);
    // Not shown on a field, or that field already shows a message (the same field's first cause, or another
    // item's, which then stays in the banner).
    if (key === null || key in errors) continue;
    errors[key] = list ? `${field}: ${message}` : message;
    placed.push(field);
  }
  return { errors, placed };
}

export function useForm({ validate, send, onError, fields, lists, causes }: FormOptions): FormState {
  const t = useT();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [placed, setPlaced] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const local = validate?.() ?? {};
    setErrors(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, t(v)])));
    setPlaced([]);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await send();
    } catch (err) {
      onError?.(err);
      setError(err);
      if (err instanceof ApiError) {
        const p = placeCauses(causes?.(err) ?? err.causes, { fields, lists });
        setErrors(p.errors);
        setPlaced(p.placed);
      }
    } finally {
      setBusy(false);
    }
  };

  return {
    errors,
    error,
    placed,
    busy,
    onSubmit: (e: FormEvent) => {
      e.preventDefault();
      if (!busy) void submit();
    },
    reset: () => {
      setErrors({});
      setError(null);
      setPlaced([]);
    },
  };
}
