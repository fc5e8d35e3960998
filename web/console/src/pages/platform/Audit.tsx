// Platform > Audit: who did what, when, from where, to which object; filtered by user, verb, resource,
// outcome, workspace and time, newest first.
import { useState } from 'react';
import { paths } from '../../api/endpoints';
import type { AuditEvent } from '../../api/types';
import { useApi } from '../../app/context';
import { dateTime } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useI18n } from '../../i18n';
import { SelectField, TextField } from '../../ui/Field';

function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export default function Audit() {
  const { t, locale } = useI18n();
  const api = useApi();
  const [f, setF] = useState({ user: '', verb: '', resource: '', outcome: '', workspace: '', since: '', until: '' });
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setF({ ...f, [k]: e.target.value });
  const scope = (e: AuditEvent) => [e.scope.workspace, e.scope.project].filter(Boolean).join(' / ') || e.scope.cluster || e.scope.level;
  return (
    <div>
      <h1>{t('audit.title')}</h1>
      <ListPage<AuditEvent>
        label={t('audit.title')}
        filterable={false}
        reloadKey={JSON.stringify(f)}
        pageSizes={[50, 100, 500, 1000]}
        load={(q, signal) =>
          api.list<AuditEvent>(
            paths.audit,
            {
              page: q.page,
              limit: q.limit,
              ascending: q.ascending,
              user: f.user || undefined,
              verb: f.verb || undefined,
              resource: f.resource || undefined,
              outcome: f.outcome || undefined,
              workspace: f.workspace || undefined,
              since: toRfc3339(f.since),
              until: toRfc3339(f.until),
            },
            signal,
          )
        }
        rowKey={(e) => `${e.time}-${e.requestId}-${e.verb}-${e.resource}-${e.name}`}
        extraFilters={
          <>
            <TextField label={t('audit.user')} value={f.user} onChange={set('user')} />
            <TextField label={t('audit.verb')} value={f.verb} onChange={set('verb')} />
            <TextField label={t('audit.resource')} value={f.resource} onChange={set('resource')} />
            <SelectField label={t('audit.outcome')} value={f.outcome} onChange={set('outcome')}
              options={[
                { value: '', label: t('audit.any') },
                { value: 'success', label: t('audit.success') },
                { value: 'failure', label: t('audit.failure') },
                { value: 'denied', label: t('audit.denied') },
              ]} />
            <TextField label={t('audit.workspace')} value={f.workspace} onChange={set('workspace')} />
            <TextField label={t('audit.since')} type="datetime-local" value={f.since} onChange={set('since')} />
            <TextField label={t('audit.until')} type="datetime-local" value={f.until} onChange={set('until')} />
          </>
        }
        columns={[
          { id: 'time', header: t('audit.time'), sortKey: 'creationTimestamp', width: '2fr', render: (e) => dateTime(e.time, locale) },
          { id: 'user', header: t('audit.user'), render: (e) => e.user || '—' },
          { id: 'verb', header: t('audit.verb'), render: (e) => e.verb },
          { id: 'resource', header: t('audit.resource'), render: (e) => e.resource },
          { id: 'name', header: t('common.name'), render: (e) => e.name },
          { id: 'scope', header: t('audit.scope'), render: scope },
          { id: 'outcome', header: t('audit.outcome'),
            render: (e) => (
              <span className={`badge ${e.outcome === 'success' ? 'badge-ok' : e.outcome === 'denied' ? 'badge-bad' : 'badge-warn'}`} title={e.message}>
                {e.outcome === 'success' ? t('audit.success') : e.outcome === 'denied' ? t('audit.denied') : t('audit.failure')} {e.status}
              </span>
            ) },
          { id: 'from', header: t('audit.source'), render: (e) => e.sourceAddress },
        ]}
      />
    </div>
  );
}
