import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { problemsFromError } from './ApplyYaml';
import { selectorString } from './WorkloadDetail';

const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: elsewhere
spec:
  replicas: -1
`;

describe('problemsFromError', () => {
  it('puts causes naming a document and field on their line', () => {
    const e = new ApiError(422, 'invalid documents', 'Invalid', [
      { field: '[1].metadata.namespace', message: 'must be e2e or absent' },
      { field: '[7].kind', message: 'no such document' },
    ]);
    const r = problemsFromError(text, e);
    expect(r.problems).toEqual([{ line: 10, message: 'metadata.namespace: must be e2e or absent', field: '[1].metadata.namespace' }]);
    expect(r.unplaced).toEqual([{ field: '[7].kind', message: 'no such document' }]);
  });

  it('uses the failed documents of a partial apply, their causes or their message', () => {
    const e = new ApiError(422, 'document 2 (Deployment web): …', 'Invalid');
    e.body = {
      items: [
        { index: 0, kind: 'ConfigMap', name: 'a', result: 'configured' },
        { index: 1, kind: 'Deployment', name: 'web', result: 'failed',
          message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0' },
      ],
    };
    expect(problemsFromError(text, e).problems).toEqual([
      { line: 12, message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0', field: '[1].spec.replicas' },
    ]);
  });

  it('reads the line of a YAML syntax error', () => {
    const e = new ApiError(400, 'not valid YAML or JSON at line 3, column 5: illegal map value', 'BadRequest');
    expect(problemsFromError(text, e).problems).toEqual([{ line: 3, message: e.message }]);
  });
});

describe('selectorString', () => {
  it('writes a LabelSelector as the labelSelector parameter', () => {
    expect(selectorString({
      matchLabels: { app: 'web', tier: 'front' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['a', 'b'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['x'] },
        { key: 'owner', operator: 'Exists' },
      ],
    })).toBe('app=web,tier=front,env in (a,b),!canary,zone notin (x),owner');
    expect(selectorString(undefined)).toBe('');
  });
});
