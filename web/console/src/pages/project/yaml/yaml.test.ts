import { describe, expect, it } from 'vitest';
import { checkManifest, forEditing, locate, outline, pathTokens, splitDocuments, toYaml } from './yaml';

const manifest = `# the service
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    "app.kubernetes.io/name": web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: busybox
          env:
            - name: A
              value: "1"
        - name: side
          image: other
          command: |
            echo hi
`;

describe('splitDocuments', () => {
  it('finds documents and leaves out empty ones', () => {
    expect(splitDocuments(manifest)).toEqual([
      { index: 0, startLine: 1, endLine: 9 },
      { index: 1, startLine: 11, endLine: 31 },
    ]);
    expect(splitDocuments('---\n# nothing\n---\nkind: A\n')).toEqual([{ index: 0, startLine: 4, endLine: 5 }]);
    expect(splitDocuments('\n\n')).toEqual([]);
  });
});

describe('locate', () => {
  it('puts a server cause on the line of its field', () => {
    expect(locate(manifest, '[1].spec.template.spec.containers[0].image')).toEqual({ line: 23, exact: true });
    expect(locate(manifest, '[1].spec.template.spec.containers[1].command')).toEqual({ line: 29, exact: true });
    expect(locate(manifest, '[1].spec.template.spec.containers[0].env[0].value')).toEqual({ line: 26, exact: true });
    expect(locate(manifest, '[0].spec.ports[0].targetPort')).toEqual({ line: 9, exact: true });
    expect(locate(manifest, '[1].metadata.labels["app.kubernetes.io/name"]')).toEqual({ line: 16, exact: true });
    expect(locate(manifest, 'spec.replicas', 1)).toEqual({ line: 18, exact: true });
  });

  it('falls back to the closest field that exists, or the document', () => {
    expect(locate(manifest, '[1].spec.template.spec.containers[0].resources.limits')).toEqual({ line: 22, exact: false });
    expect(locate(manifest, '[1]')).toEqual({ line: 11, exact: true });
    expect(locate(manifest, '[5].kind')).toBeNull();
  });

  it('reads sequences written at the column of their key', () => {
    const node = outline('a:\n- x: 1\n  y: 2\n- x: 3\n');
    expect(node.map!.get('a')!.seq!.map((n) => n.line)).toEqual([2, 4]);
  });

  it('splits paths into keys and indexes', () => {
    expect(pathTokens('spec.containers[0].env[12].name')).toEqual(['spec', 'containers', 0, 'env', 12, 'name']);
    expect(pathTokens('metadata.labels["a.b/c"]')).toEqual(['metadata', 'labels', 'a.b/c']);
  });
});

describe('checkManifest', () => {
  const messages = { empty: 'empty', tab: 'tab', missing: (f: string) => `missing ${f}` };
  it('catches what the server would refuse, on the right line', () => {
    expect(checkManifest(manifest, messages)).toEqual([]);
    expect(checkManifest('  \n', messages)).toEqual([{ line: 1, message: 'empty' }]);
    expect(checkManifest('kind: A\nmetadata:\n\tname: x\n', messages)).toEqual([
      { line: 3, message: 'tab' },
      { line: 1, message: 'missing apiVersion', field: '[0].apiVersion' },
    ]);
    expect(checkManifest('apiVersion: v1\nkind: A\nmetadata:\n  labels: {}\n', messages)).toEqual([
      { line: 3, message: 'missing metadata.name', field: '[0].metadata.name' },
    ]);
  });
});

describe('toYaml', () => {
  it('writes objects that read back to the same structure', () => {
    const y = toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { 'app.kubernetes.io/name': 'x', version: '1.0' } },
      data: { 'a.txt': 'line 1\nline 2\n', yes: 'yes', empty: '', port: '8080' },
      list: [{ a: 1, b: [true, null] }, 'plain', []],
    });
    expect(y).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels:
    app.kubernetes.io/name: x
    version: "1.0"
data:
  a.txt: |
    line 1
    line 2
  "yes": "yes"
  empty: ""
  port: "8080"
list:
- a: 1
  b:
  - true
  - null
- plain
- []
`);
  });

  it('drops what the server sets before editing', () => {
    const o = forEditing({
      apiVersion: 'apps/v1', kind: 'Deployment', status: { replicas: 1 },
      metadata: { name: 'web', uid: 'u', resourceVersion: '5', managedFields: [], annotations: { 'deployment.kubernetes.io/revision': '3' } },
      spec: { replicas: 1 },
    });
    expect(o).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } });
  });
});
