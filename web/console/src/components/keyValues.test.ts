import { describe, expect, it } from 'vitest';
import { causeKey, causeRow, checkLabelKey, checkLabelValue, checkQuotaName, checkQuotaValue, mapPatch, validateRows } from './keyValues';

describe('key/value checks', () => {
  it('accepts Kubernetes label keys and values and refuses the rest', () => {
    expect(checkLabelKey('app')).toBeNull();
    expect(checkLabelKey('node-role.kubernetes.io/worker')).toBeNull();
    expect(checkLabelKey('')).toBe('validation.required');
    expect(checkLabelKey('/x')).toBe('validation.labelKey');
    expect(checkLabelKey('Bad_Prefix/x')).toBe('validation.labelKey');
    expect(checkLabelKey('a'.repeat(64))).toBe('validation.labelKey');
    expect(checkLabelValue('')).toBeNull();
    expect(checkLabelValue('v1.2_x')).toBeNull();
    expect(checkLabelValue('-x')).toBe('validation.labelValue');
    expect(checkLabelValue('has space')).toBe('validation.labelValue');
  });

  it('checks quota names and quantities', () => {
    expect(checkQuotaName('limits.cpu')).toBeNull();
    expect(checkQuotaName('count/deployments.apps')).toBeNull();
    expect(checkQuotaName('bad name')).toBe('validation.quotaName');
    expect(checkQuotaValue('8Gi')).toBeNull();
    expect(checkQuotaValue('')).toBe('validation.required');
    expect(checkQuotaValue('lots')).toBe('validation.quantity');
  });

  it('marks each bad row and a key used twice', () => {
    const rows = [{ key: 'a', value: 'x' }, { key: 'bad key', value: '' }, { key: 'a', value: '-' }];
    expect(validateRows(rows, checkLabelKey, checkLabelValue)).toEqual({
      '1.key': 'validation.labelKey',
      '2.key': 'validation.duplicateKey',
      '2.value': 'validation.labelValue',
    });
  });

  it('makes a merge patch that removes dropped keys', () => {
    expect(mapPatch({ a: '1', b: '2' }, { b: '3', c: '4' })).toEqual({ a: null, b: '3', c: '4' });
    expect(mapPatch({ a: '1' }, { a: '1' })).toEqual({});
  });

  it('finds the key a server cause names', () => {
    expect(causeKey('labels["team/x"]')).toBe('team/x');
    expect(causeKey('spec.quota.hard["pods"]')).toBe('pods');
    expect(causeKey('spec.name')).toBeNull();
    const rows = [{ key: 'cpu', value: '1' }, { key: ' pods ', value: '2' }];
    expect(causeRow(rows, 'spec.quota.hard["pods"]')).toBe(1);
    expect(causeRow(rows, 'spec.quota.hard["memory"]')).toBe(-1);
    expect(causeRow(rows, 'spec.name')).toBe(-1);
  });
});
