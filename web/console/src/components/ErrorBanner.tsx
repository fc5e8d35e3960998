// How a failed request looks on a page: the server's Status message (and its causes that no field shows),
// a plain sentence for a refusal or a lost connection, and a retry where it helps.
import { ApiError, NetworkError } from '../api/errors';
import { useT } from '../i18n';
import { Banner } from '../ui/Banner';
import { Button } from '../ui/Button';

export function ErrorBanner({ error, onRetry, shownFields = [] }: {
  error: unknown;
  onRetry?: () => void;
  shownFields?: string[];
}) {
  const t = useT();
  if (!error) return null;
  const retry = onRetry ? <Button onClick={onRetry}>{t('common.retry')}</Button> : undefined;
  if (error instanceof NetworkError) {
    return <Banner tone="error" title={t('error.network')} action={retry} />;
  }
  if (error instanceof ApiError) {
    const title = error.status === 403 ? t('error.forbidden') : error.status === 404 ? t('error.notFound') : t('error.failed');
    const causes = error.unplacedCauses(shownFields);
    return (
      <Banner tone="error" title={title} action={error.status >= 500 || error.status === 429 ? retry : undefined}>
        <span>{error.message}</span>
        {causes.length > 0 && (
          <ul>
            {causes.map((c, i) => (
              <li key={i}>
                {c.field ? <code>{c.field}</code> : null} {c.message}
              </li>
            ))}
          </ul>
        )}
      </Banner>
    );
  }
  return (
    <Banner tone="error" title={t('error.failed')} action={retry}>
      {error instanceof Error ? error.message : String(error)}
    </Banner>
  );
}
