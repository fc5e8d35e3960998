// A project's lists (workloads, pods, services, configuration, storage, events), one tab per kind, each
// kept live by the watch WebSocket on /api/v1/clusters/{cluster}/namespaces/{namespace}/{resource}.
// Workloads can be created (form or YAML), scaled, restarted and deleted; pods have logs and a terminal.
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Allowed, useAccess } from '../../access/context';
import { paths } from '../../api/endpoints';
import type { KubeObject } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { type Column, ListPage } from '../../components/ListPage';
import { useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Tabs } from '../../ui/Tabs';
import NotFound from '../NotFound';
import { useObjectActions } from './actions';
import { type KindInfo, columnsFor, kindGroups } from './kinds';
import { useProject } from './ProjectLayout';
import { CreateFromForm, type FormKind, formKinds } from './SimpleCreate';

type Any = KubeObject & Record<string, unknown>;

export default function Resources() {
  const { t } = useI18n();
  const { group = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const info = kindGroups[group];
  const project = useProject();
  if (!info) return <NotFound />;
  const selected = info.kinds.find((k) => k.resource === search.get('kind')) ?? info.kinds[0];
  return (
    <div>
      <div className="breadcrumbs">
        {t('nav.project')}: {project.project} · {t('projects.cluster')}: {project.cluster}
      </div>
      <h1>{t(info.title)}</h1>
      {info.kinds.length > 1 ? (
        <Tabs
          label={t(info.title)}
          items={info.kinds.map((k) => ({ id: k.resource, label: t(k.label) }))}
          selected={selected.resource}
          onSelect={(id) => setSearch({ kind: id }, { replace: true })}
        >
          <KindList key={selected.resource} kind={selected} />
        </Tabs>
      ) : (
        <KindList kind={selected} />
      )}
    </div>
  );
}

function KindList({ kind }: { kind: KindInfo }) {
  const { t, locale } = useI18n();
  const project = useProject();
  const base = projectBase(project.workspace, project.project);
  const actions = useObjectActions(kind);
  const isDeployment = kind.resource === 'deployments';
  const actionColumn: Column<Any> = {
    id: 'actions',
    header: t('common.actions'),
    width: isDeployment || kind.resource === 'statefulsets' || kind.resource === 'pods' ? '3fr' : '2fr',
    render: (o) => actions.buttons(o),
  };
  const columns = [
    ...columnsFor(kind.resource, t, locale, project),
    ...(kind.resource === 'events' ? [] : [actionColumn]),
  ];
  const create = actions.requestFor('create');
  const { observeError } = useAccess();
  const [creating, setCreating] = useState(false);
  const formKind = (formKinds as readonly string[]).includes(kind.resource) ? (kind.resource as FormKind) : null;
  return (
    <>
      <ErrorBanner error={actions.error} />
      <ListPage<Any>
        label={t(kind.label)}
        live={{ path: paths.objects(project.cluster, project.namespace, kind.resource) }}
        rowKey={(o) => o.metadata.uid ?? o.metadata.name}
        emptyText={t('workloads.none', { kind: t(kind.label) })}
        columns={columns}
        toolbar={
          kind.resource !== 'events' && (
            <Allowed request={create}>
              {isDeployment && (
                <Link className="btn btn-primary" to={`${base}/deployments/new`}>
                  {t('deploy.create')}
                </Link>
              )}
              {formKind && (
                <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                  {t(`forms.create.${formKind}`)}
                </button>
              )}
              <Link className="btn btn-secondary" to={`${base}/apply?kind=${encodeURIComponent(kind.resource)}`}>
                {t('apply.open')}
              </Link>
            </Allowed>
          )
        }
      />
      {actions.dialogs}
      {creating && formKind && (
        <CreateFromForm kind={formKind} cluster={project.cluster} namespace={project.namespace} onClose={() => setCreating(false)}
          onDenied={(e) => observeError(create, e)} />
      )}
    </>
  );
}
