// Platform > Groups: local groups and the LDAP groups they map.
import { paths } from '../../api/endpoints';
import type { Group } from '../../api/types';
import { useApi } from '../../app/context';
import { age } from '../../components/format';
import { ListPage } from '../../components/ListPage';
import { useI18n } from '../../i18n';

export default function Groups() {
  const { t, locale } = useI18n();
  const api = useApi();
  return (
    <div>
      <h1>{t('groups.title')}</h1>
      <ListPage<Group>
        label={t('groups.title')}
        load={(q, signal) => api.list<Group>(paths.groups, { ...q }, signal)}
        rowKey={(g) => g.metadata.name}
        columns={[
          { id: 'name', header: t('common.name'), sortKey: 'name', width: '2fr', render: (g) => g.metadata.name },
          { id: 'display', header: t('common.displayName'), width: '2fr', render: (g) => g.spec?.displayName },
          { id: 'members', header: t('groups.members'), width: '3fr', render: (g) => (g.spec?.members ?? []).join(', ') },
          { id: 'ldap', header: t('groups.ldapGroup'), width: '2fr', render: (g) => g.spec?.ldapGroup },
          { id: 'age', header: t('common.created'), sortKey: 'creationTimestamp', render: (g) => age(g.metadata.creationTimestamp, locale) },
        ]}
      />
    </div>
  );
}
