import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { I18nProvider } from '../../i18n';
import { render } from '@testing-library/react';
import { failureBanner, fakeApi, fieldError, invalid, renderWith } from '../../test/render';
import { QuotaDialog, validateQuota } from '../workspace/QuotaDialog';
import { DrainResult, drainResult, LabelsDialog, type Node, TaintsDialog, taintField, validateLabels, validateTaints } from './NodeActions';

describe('node drain', () => {
  it('reads the per-pod lists of an answer or of a failure Status', () => {
    const e = new ApiError(429, 'node n1 cordoned; 1 pod(s) could not be evicted', 'TooManyRequests');
    e.body = { kind: 'Status', message: e.message, node: 'n1', evicted: [{ namespace: 'a', name: 'p1' }],
      failed: [{ namespace: 'b', name: 'p2', reason: 'eviction refused by a disruption budget', code: 429 }] };
    expect(drainResult(e)).toMatchObject({ evicted: [{ name: 'p1' }], failed: [{ name: 'p2' }] });
    expect(drainResult(new ApiError(403, 'no', 'Forbidden'))).toBeNull();
    render(<I18nProvider locale="en"><DrainResult result={drainResult(e)!} /></I18nProvider>);
    expect(screen.getByRole('region', { name: 'Could not be evicted' }).textContent).toContain('b/p2 — eviction refused by a disruption budget (429)');
    expect(screen.getByRole('region', { name: 'Evicted' }).textContent).toContain('a/p1');
  });
});

describe('labels, taints and quotas', () => {
  it('checks label rows', () => {
    expect(validateLabels([{ key: 'zone', value: 'a' }, { key: 'zone', value: 'b' }, { key: '', value: '' }])).toEqual({
      '1.key': 'validation.duplicateKey',
      '2.key': 'validation.required',
    });
  });

  it('checks taints by the server rules', () => {
    expect(validateTaints([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }])).toEqual({});
    expect(
      validateTaints([
        { key: 'a', effect: 'NoSchedule' },
        { key: 'a', effect: 'NoSchedule' },
        { key: 'b c', value: 'x y', effect: 'Sometimes' as never },
      ]),
    ).toEqual({
      '[1].key': 'nodes.duplicateTaint',
      '[2].key': 'validation.labelKey',
      '[2].value': 'validation.labelValue',
      '[2].effect': 'validation.required',
    });
  });

  it('checks quota rows', () => {
    expect(validateQuota([{ key: 'limits.cpu', value: '4' }, { key: 'pods', value: 'many' }, { key: '', value: '1' }])).toEqual({
      '1.value': 'validation.quantity',
      '2.key': 'validation.required',
    });
  });
});

describe('the server refusing labels, taints and quotas', () => {
  const node: Node = {
    metadata: { name: 'n1', labels: { zone: 'a', disk: 'ssd' } },
    spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoSchedule' }] },
  };
  const show = (ui: React.ReactNode, answer: ReturnType<typeof invalid>) => {
    const f = fakeApi((m) => (m === 'PATCH' ? answer : undefined));
    renderWith(ui, { api: f.api });
    return () => f.calls.filter((c) => c.method === 'PATCH');
  };

  it("shows a label's cause on its row, and closes when nothing changed", async () => {
    const onClose = vi.fn();
    const onDenied = vi.fn();
    const patches = show(<LabelsDialog cluster="c" node={node} onClose={onClose} onSaved={() => {}} onDenied={onDenied} />,
      invalid('labels are invalid', [{ field: 'metadata.labels["disk"]', message: 'reserved for the cloud provider' }]));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(patches()).toEqual([]);
    await userEvent.clear(screen.getByLabelText('Value 2'));
    await userEvent.type(screen.getByLabelText('Value 2'), 'hdd');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(patches()).toEqual([{ method: 'PATCH', url: '/api/v1/clusters/c/nodes/n1/labels', body: { disk: 'hdd' } }]);
    await waitFor(() => expect(fieldError('Key 2')).toBe('reserved for the cloud provider'));
    expect(fieldError('Key 1')).toBeNull();
    expect(onDenied).toHaveBeenCalledTimes(1);
  });

  it("places a taint's causes on its row (a duplicate on its key), the rest in the banner", async () => {
    expect(taintField('[1].effect', 2)).toBe('[1].effect');
    expect(taintField('[1]', 2)).toBe('[1].key');
    expect(taintField('[2].key', 2)).toBeNull();
    expect(taintField('[0].timeAdded', 2)).toBeNull();
    const onSaved = vi.fn();
    const patches = show(<TaintsDialog cluster="c" node={node} onClose={() => {}} onSaved={onSaved} onDenied={() => {}} />,
      invalid('[1]: a taint with key gpu and effect NoSchedule is already in the list', [
        { field: '[1]', message: 'a taint with key gpu and effect NoSchedule is already in the list' },
        { field: '[0].value', message: 'must be 63 characters or less' },
        { field: '[0].timeAdded', message: 'must be an RFC 3339 time (or absent)' },
      ]));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(patches()[0].body).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoSchedule' }]);
    await waitFor(() => expect(fieldError('Taint 2 key')).toBe('a taint with key gpu and effect NoSchedule is already in the list'));
    expect(fieldError('Taint 1 value')).toBe('must be 63 characters or less');
    expect(failureBanner()).toContain('must be an RFC 3339 time (or absent)');
    expect(failureBanner()).not.toContain('63 characters');
    expect(onSaved).not.toHaveBeenCalled();
  });

  it("shows a quota's cause on the limit of its resource", async () => {
    const refused = new ApiError(422, 'Project "web" is invalid', 'Invalid', [
      { field: 'spec.quota.hard["pods"]', message: 'more than the workspace has left (20)' },
    ]);
    const save = vi.fn(async () => {
      throw refused;
    });
    const onDenied = vi.fn();
    renderWith(<QuotaDialog title="Quota" hard={{ 'limits.cpu': '4', pods: '50' }} save={save} onClose={() => {}} onDenied={onDenied} />,
      { api: fakeApi(() => undefined).api });
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(save).toHaveBeenCalledWith({ 'limits.cpu': '4', pods: '50' });
    await waitFor(() => expect(fieldError('Limit 2')).toBe('more than the workspace has left (20)'));
    expect(fieldError('Limit 1')).toBeNull();
    expect(onDenied).toHaveBeenCalledWith(refused);
  });
});

describe('key/value editor', () => {
  it('adds and removes rows', async () => {
    const { KeyValueEditor } = await import('../../components/KeyValueEditor');
    let rows = [{ key: 'a', value: '1' }];
    const { rerender } = render(
      <I18nProvider locale="en">
        <KeyValueEditor legend="Labels" rows={rows} onChange={(r) => (rows = r)} keyLabel="Key" valueLabel="Value" addLabel="Add label" />
      </I18nProvider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add label' }));
    expect(rows).toEqual([{ key: 'a', value: '1' }, { key: '', value: '' }]);
    rerender(
      <I18nProvider locale="en">
        <KeyValueEditor legend="Labels" rows={rows} onChange={(r) => (rows = r)} keyLabel="Key" valueLabel="Value" addLabel="Add label" />
      </I18nProvider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove row 1' }));
    expect(rows).toEqual([{ key: '', value: '' }]);
  });
});
