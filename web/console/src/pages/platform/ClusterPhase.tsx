// A cluster's phase as a badge (the prober's message as its title); on the overview, the clusters list and the
// cluster's page. Its own module so the overview does not load the clusters page's forms.
import type { Cluster } from '../../api/types';
import { useI18n } from '../../i18n';

export function ClusterPhase({ cluster }: { cluster: Cluster }) {
  const { t } = useI18n();
  const phase = cluster.status?.phase ?? 'Unknown';
  const cls = phase === 'Ready' ? 'badge-ok' : phase === 'Unreachable' ? 'badge-bad' : 'badge-warn';
  const label = phase === 'Ready' ? t('clusters.ready') : phase === 'Unreachable' ? t('clusters.unreachable') : t('clusters.unknown');
  return <span className={`badge ${cls}`} title={cluster.status?.message}>{label}</span>;
}
