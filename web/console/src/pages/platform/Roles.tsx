// Roles of the platform (platform and cluster roles) or of a workspace: built-in and custom, each shown as
// the permission templates it aggregates.
import { useParams } from 'react-router';
import { paths } from '../../api/endpoints';
import type { Role } from '../../api/types';
import { useApi } from '../../app/context';
import { ListPage } from '../../components/ListPage';
import { useI18n } from '../../i18n';

export default function Roles() {
  const { t } = useI18n();
  const api = useApi();
  const { ws } = useParams();
  const path = ws ? paths.workspaceRoles(ws) : paths.roles;
  return (
    <div>
      <h1>{ws ? t('roles.workspaceTitle', { workspace: ws }) : t('roles.title')}</h1>
      <ListPage<Role>
        label={t('roles.title')}
        reloadKey={path}
        load={(q, signal) => api.list<Role>(path, { ...q }, signal)}
        rowKey={(r) => `${r.spec?.level}/${r.metadata.name}`}
        defaultSort={{ sortBy: 'name', ascending: true }}
        rowHeight={48}
        columns={[
          { id: 'name', header: t('common.name'), width: '2fr', render: (r) => r.metadata.name },
          { id: 'level', header: t('roles.level'), render: (r) => levelLabel(t, r.spec?.level) },
          { id: 'kind', header: t('roles.kind'),
            render: (r) => <span className="badge">{r.spec?.builtin ? t('roles.builtin') : t('roles.custom')}</span> },
          { id: 'templates', header: t('roles.templates'), width: '4fr',
            render: (r) => <span className="mono" title={(r.spec?.templates ?? []).join(', ')}>{(r.spec?.templates ?? []).join(', ') || '—'}</span> },
        ]}
      />
    </div>
  );
}

function levelLabel(t: ReturnType<typeof useI18n>['t'], level: string | undefined): string {
  switch (level) {
    case 'platform':
      return t('roles.levelPlatform');
    case 'cluster':
      return t('roles.levelCluster');
    case 'workspace':
      return t('roles.levelWorkspace');
    case 'project':
      return t('roles.levelProject');
    default:
      return level ?? '';
  }
}
