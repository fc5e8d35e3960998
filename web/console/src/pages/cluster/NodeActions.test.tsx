import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { I18nProvider } from '../../i18n';
import { render } from '@testing-library/react';
import { validateQuota } from '../workspace/QuotaDialog';
import { DrainResult, drainResult, validateLabels, validateTaints } from './NodeActions';

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
