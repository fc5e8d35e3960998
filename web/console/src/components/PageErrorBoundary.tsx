// A page that throws while rendering (a chunk that failed to load, a bug) shows what happened and a way on,
// instead of a blank page: the navigation around it stays usable. Reset when the location changes.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { useT } from '../i18n';
import { Banner } from '../ui/Banner';
import { Button } from '../ui/Button';

interface State {
  error: Error | null;
}

class Boundary extends Component<{ children: ReactNode; fallback: (error: Error) => ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Where it happened, for whoever reads the browser's console (and the e2e suite's failure log).
    console.error('page failed:', error.message, info.componentStack ?? '');
  }

  override render(): ReactNode {
    return this.state.error ? this.props.fallback(this.state.error) : this.props.children;
  }
}

function Failure({ error }: { error: Error }) {
  const t = useT();
  return (
    <Banner tone="error" title={t('errors.pageFailed')}
      action={<Button onClick={() => window.location.reload()}>{t('errors.reload')}</Button>}>
      <p>{t('errors.pageFailedBody')}</p>
      <p className="muted mono">{error.message}</p>
    </Banner>
  );
}

export function PageErrorBoundary({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <Boundary key={location.pathname} fallback={(error) => <Failure error={error} />}>
      {children}
    </Boundary>
  );
}
