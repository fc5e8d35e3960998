// Shown while the server cannot be reached; counts down to the next try and offers to try now. Pages
// reload what failed when the connection comes back.
import { useEffect, useState } from 'react';
import type { ConnectionState } from '../api/connection';
import { useApi } from '../app/context';
import { useT } from '../i18n';
import { Banner } from '../ui/Banner';
import { Button } from '../ui/Button';

export function ConnectionBanner() {
  const api = useApi();
  const t = useT();
  const [state, setState] = useState<ConnectionState>(api.connection.current);
  const [now, setNow] = useState(Date.now());
  useEffect(() => api.connection.subscribe(setState), [api]);
  useEffect(() => {
    if (state.online) return;
    const h = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(h);
  }, [state.online]);
  if (state.online) return null;
  const seconds = Math.max(0, Math.ceil((state.nextRetryAt - now) / 1000));
  return (
    <Banner
      tone="warning"
      title={t('connection.lost')}
      action={<Button onClick={() => api.connection.retryNow()}>{t('connection.retryNow')}</Button>}
    >
      {t('connection.retrying', { seconds })}
    </Banner>
  );
}
