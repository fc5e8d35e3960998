// Create or update objects of the project from YAML (one or more documents) in an editor with highlighting:
// POST /api/v1/clusters/{c}/namespaces/{ns}/apply (server-side apply; ?dryRun=All to check first). Mistakes
// found before sending, and the server's refusals, are marked on their lines and listed under the editor.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { paths } from '../../api/endpoints';
import { ApiError, type StatusCause } from '../../api/errors';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Banner } from '../../ui/Banner';
import { Button } from '../../ui/Button';
import { SelectField } from '../../ui/Field';
import { useToast } from '../../ui/Toast';
import { causesFromMessage } from './deploymentForm';
import { useProject } from './ProjectLayout';
import { type EditorProblem, YamlEditor, type YamlEditorHandle } from './yaml/YamlEditor';
import { checkManifest, forEditing, locate, splitDocuments, toYaml } from './yaml/yaml';

export interface ApplyItem {
  index: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  code?: number;
  result?: 'created' | 'configured' | 'failed';
  message?: string;
  causes?: StatusCause[];
}

interface Problem extends EditorProblem {
  field?: string;
}

// The Service of the example deployment; its own template too.
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`;

const templates: Record<string, (ns: string) => string> = {
  deployments: () => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example.com/team/web:1.0.0
          ports:
            - containerPort: 8080
---
${SERVICE}`,
  services: () => SERVICE,
  configmaps: () => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: info
`,
  secrets: () => `apiVersion: v1
kind: Secret
metadata:
  name: credentials
type: Opaque
stringData:
  password: change-me
`,
  persistentvolumeclaims: () => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
`,
  jobs: () => `apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: once
          image: registry.example.com/team/tool:1.0.0
          command: ["sh", "-c", "echo done"]
`,
};

// The server's answer as problems on lines, and what could not be placed.
export function problemsFromError(text: string, e: ApiError): { problems: Problem[]; unplaced: StatusCause[] } {
  const problems: Problem[] = [];
  const unplaced: StatusCause[] = [];
  const at = /at line (\d+), column (\d+)/.exec(e.message);
  if (at) problems.push({ line: Number(at[1]), message: e.message });
  const place = (field: string, message: string, doc = 0) => {
    const where = locate(text, field, doc);
    if (where) problems.push({ line: where.line, message: `${field.replace(/^\[\d+\]\.?/, '') || field}: ${message}`, field });
    else unplaced.push({ field, message });
  };
  const items = Array.isArray(e.body?.items) ? (e.body.items as ApplyItem[]) : [];
  const failed = items.filter((i) => i.result === 'failed');
  if (failed.length) {
    // Every failed document, each with its own causes (or those read out of its message).
    for (const item of failed) {
      const causes = item.causes?.length ? item.causes : causesFromMessage(item.message ?? '');
      if (causes.length) for (const c of causes) place(c.field ? `[${item.index}].${c.field}` : `[${item.index}]`, c.message);
      else place(`[${item.index}]`, item.message ?? e.message);
    }
  } else {
    for (const c of e.causes) {
      if (c.field) place(c.field, c.message);
      else if (!at) unplaced.push(c);
    }
  }
  return { problems, unplaced };
}

export default function ApplyYaml() {
  const { t } = useI18n();
  const api = useApi();
  const toast = useToast();
  const project = useProject();
  const [search] = useSearchParams();
  const from = search.get('from'); // "deployments/web": edit that object
  const [template, setTemplate] = useState(() => (search.get('kind') && templates[search.get('kind')!] ? search.get('kind')! : 'deployments'));
  const [text, setText] = useState(() => (from ? '' : templates[template](project.namespace)));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<{ items: ApplyItem[]; dryRun: boolean } | null>(null);
  const [busy, setBusy] = useState<'check' | 'apply' | null>(null);
  const editor = useRef<YamlEditorHandle>(null);
  const base = projectBase(project.workspace, project.project);

  useEffect(() => {
    if (!from) return;
    const [resource, name] = from.split('/');
    if (!resource || !name) return;
    let live = true;
    api.get<Record<string, unknown>>(paths.object(project.cluster, project.namespace, resource, name)).then(
      (o) => live && setText(toYaml(forEditing(o))),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, from, project.cluster, project.namespace]);

  const documents = useMemo(() => splitDocuments(text).length, [text]);

  const send = async (dryRun: boolean) => {
    setError(null);
    setResults(null);
    const found = checkManifest(text, {
      empty: t('apply.empty'),
      tab: t('apply.tab'),
      missing: (field) => t('apply.missing', { field }),
    });
    setProblems(found);
    if (found.length) {
      editor.current?.focusLine(found[0].line);
      return;
    }
    setBusy(dryRun ? 'check' : 'apply');
    try {
      const r = await api.request<{ items: ApplyItem[]; total: number }>('POST', paths.apply(project.cluster, project.namespace), {
        text,
        contentType: 'application/yaml',
        query: { dryRun: dryRun ? 'All' : undefined },
      });
      setResults({ items: r.items ?? [], dryRun });
      if (!dryRun) toast('success', t('apply.applied', { count: r.items?.length ?? 0 }));
    } catch (e) {
      if (e instanceof ApiError) {
        const { problems: placed, unplaced } = problemsFromError(text, e);
        setProblems(placed);
        const items = Array.isArray(e.body?.items) ? (e.body.items as ApplyItem[]) : [];
        if (items.length) setResults({ items, dryRun });
        // What no line shows stays in the banner above the editor.
        setError(placed.length && !unplaced.length ? new ApiError(e.status, e.message, e.reason) : e);
      } else setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div style={{ maxWidth: 1100 }}>
      <div className="breadcrumbs">
        <Link to={`${base}/workloads`}>{t('nav.workloads')}</Link> · {project.project}
      </div>
      <h1>{from ? t('apply.editTitle', { name: from }) : t('apply.title')}</h1>
      <p className="muted" id="apply-hint">{t('apply.hint', { namespace: project.namespace })}</p>
      {!from && (
        <div className="form-row" style={{ maxWidth: 420 }}>
          <SelectField
            label={t('apply.template')}
            value={template}
            onChange={(e) => {
              setTemplate(e.target.value);
              setText(templates[e.target.value](project.namespace));
              setProblems([]);
              setResults(null);
              setError(null);
            }}
            options={Object.keys(templates).map((k) => ({ value: k, label: t(`apply.template.${k}` as 'apply.template.deployments') }))}
          />
        </div>
      )}
      <ErrorBanner error={error} shownFields={problems.flatMap((p) => (p.field ? [p.field] : []))} />
      <div className="field">
        <span className="field-label" id="apply-editor-label">{t('apply.editor')}</span>
        <YamlEditor
          ref={editor}
          value={text}
          onChange={(v) => {
            setText(v);
            if (problems.length) setProblems([]);
          }}
          problems={problems}
          label={t('apply.editor')}
          describedBy={problems.length ? 'apply-problems apply-hint' : 'apply-hint'}
          invalid={problems.length > 0}
        />
      </div>
      {problems.length > 0 && (
        <div id="apply-problems" role="alert">
          <h2 className="problems-title">{t('apply.problems', { count: problems.length })}</h2>
          <ul className="problems">
            {problems.map((p, i) => (
              <li key={i}>
                <button type="button" className="link-btn" onClick={() => editor.current?.focusLine(p.line)}>
                  {t('apply.line', { line: p.line })}
                </button>{' '}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="form-actions">
        <span className="muted">{t('apply.documents', { count: documents })}</span>
        <Button onClick={() => void send(true)} busy={busy === 'check'} disabled={busy !== null}>
          {t('apply.check')}
        </Button>
        <Button variant="primary" onClick={() => void send(false)} busy={busy === 'apply'} disabled={busy !== null}>
          {t('apply.submit')}
        </Button>
      </div>
      {results && (
        <section aria-labelledby="apply-results" style={{ marginTop: 16 }}>
          <h2 id="apply-results">{results.dryRun ? t('apply.checked') : t('apply.results')}</h2>
          {results.items.every((i) => i.result !== 'failed') && (
            <Banner tone="success" title={results.dryRun ? t('apply.checkOk') : t('apply.applyOk')} />
          )}
          <table className="simple-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('detail.kind')}</th>
                <th scope="col">{t('common.name')}</th>
                <th scope="col">{t('workloads.status')}</th>
                <th scope="col">{t('workloads.message')}</th>
              </tr>
            </thead>
            <tbody>
              {results.items.map((i) => (
                <tr key={i.index}>
                  <td>{i.index + 1}</td>
                  <td>{i.kind}</td>
                  <td>{i.name}</td>
                  <td>
                    <span className={`badge ${i.result === 'failed' ? 'badge-bad' : 'badge-ok'}`}>
                      {i.result === 'created' ? t('apply.created') : i.result === 'configured' ? t('apply.configured') : t('apply.failed')}
                    </span>
                  </td>
                  <td className="wrap">{i.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
