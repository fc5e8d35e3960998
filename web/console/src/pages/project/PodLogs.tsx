// A pod's log: the last lines of a container (or its previous instance), following live over the WebSocket,
// searching in what is loaded, and downloading it.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Allowed } from '../../access/context';
import { paths, websocketUrl } from '../../api/endpoints';
import { buildQuery } from '../../api/client';
import { followLog } from '../../api/logStream';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Banner } from '../../ui/Banner';
import { Button } from '../../ui/Button';
import { SelectField, TextField } from '../../ui/Field';
import { VirtualList } from '../../ui/VirtualList';
import { podPath } from './actions';
import { useProject } from './ProjectLayout';
import { usePodContainers } from './usePodContainers';

const MAX_LINES = 100_000;

function highlight(line: string, needle: string): ReactNode {
  if (!needle) return line;
  const out: ReactNode[] = [];
  const lower = line.toLowerCase();
  const n = needle.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(n); at >= 0; at = lower.indexOf(n, from)) {
    out.push(line.slice(from, at), <mark key={at}>{line.slice(at, at + n.length)}</mark>);
    from = at + n.length;
  }
  out.push(line.slice(from));
  return out;
}

export default function PodLogs() {
  const { t } = useI18n();
  const api = useApi();
  const project = useProject();
  const { pod, podInfo, containers } = usePodContainers();
  const [container, setContainer] = useState('');
  const [previous, setPrevious] = useState(false);
  const [follow, setFollow] = useState(true);
  const [tail, setTail] = useState('1000');
  const [search, setSearch] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [state, setState] = useState<'loading' | 'following' | 'ended' | 'idle'>('idle');
  const [endReason, setEndReason] = useState('');
  const [generation, setGeneration] = useState(0);
  const chosen = container || containers[0] || '';
  const pending = useRef<string[]>([]);

  useEffect(() => {
    if (!chosen) return;
    setLines([]);
    setError(null);
    setEndReason('');
    const query = {
      container: chosen,
      previous: previous || undefined,
      tailLines: /^\d+$/.test(tail) ? tail : undefined,
    };
    const path = paths.podLog(project.cluster, project.namespace, pod);
    if (follow && !previous) {
      setState('loading');
      let frame = 0;
      // Lines arrive in bursts: add them once per frame.
      const stream = followLog(websocketUrl(path, buildQuery({ ...query, follow: true })), {
        onOpen: () => setState('following'),
        onLines: (ls) => {
          pending.current.push(...ls);
          if (!frame) {
            frame = requestAnimationFrame(() => {
              frame = 0;
              const add = pending.current;
              pending.current = [];
              setLines((xs) => {
                const next = xs.concat(add);
                return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
              });
            });
          }
        },
        onEnd: ({ code, reason }) => {
          setState('ended');
          setEndReason(code === 1000 ? '' : reason || t('logs.closed', { code }));
        },
      });
      return () => {
        cancelAnimationFrame(frame);
        pending.current = [];
        stream.close();
      };
    }
    const ctl = new AbortController();
    setState('loading');
    api.text(path, { query, signal: ctl.signal }).then(
      (text) => {
        const ls = text.split('\n');
        if (ls[ls.length - 1] === '') ls.pop();
        setLines(ls);
        setState('ended');
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setState('idle');
      },
    );
    return () => ctl.abort();
  }, [api, project.cluster, project.namespace, pod, chosen, previous, follow, tail, generation, t]);

  const shown = useMemo(() => {
    if (!search || !onlyMatches) return lines;
    const n = search.toLowerCase();
    return lines.filter((l) => l.toLowerCase().includes(n));
  }, [lines, search, onlyMatches]);
  const matches = useMemo(() => {
    if (!search) return 0;
    const n = search.toLowerCase();
    return lines.reduce((c, l) => c + (l.toLowerCase().includes(n) ? 1 : 0), 0);
  }, [lines, search]);

  const download = () => {
    const blob = new Blob([lines.join('\n') + '\n'], { type: 'text/plain;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${pod}-${chosen}${previous ? '-previous' : ''}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  return (
    <div>
      <div className="breadcrumbs">
        <Link to={`${projectBase(project.workspace, project.project)}/pods`}>{t('nav.pods')}</Link> · {pod}
        <Allowed request={{ verb: 'create', group: '', resource: 'pods/exec', scope: project.scope }}>
          {' · '}
          <Link to={podPath(project.workspace, project.project, pod, 'terminal')}>{t('terminal.open')}</Link>
        </Allowed>
      </div>
      <h1>{t('logs.title', { pod })}</h1>
      <ErrorBanner error={podInfo.error ?? error} onRetry={() => setGeneration((g) => g + 1)} />
      <div className="log-toolbar">
        <SelectField label={t('logs.container')} value={chosen} onChange={(e) => setContainer(e.target.value)}
          options={containers.map((c) => ({ value: c, label: c }))} />
        <TextField label={t('logs.tail')} inputMode="numeric" value={tail} onChange={(e) => setTail(e.target.value)} style={{ width: 100 }} />
        <label style={{ alignSelf: 'center' }}>
          <input type="checkbox" checked={follow && !previous} disabled={previous} onChange={(e) => setFollow(e.target.checked)} /> {t('logs.follow')}
        </label>
        <label style={{ alignSelf: 'center' }}>
          <input type="checkbox" checked={previous} onChange={(e) => setPrevious(e.target.checked)} /> {t('logs.previous')}
        </label>
        <TextField label={t('logs.search')} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <label style={{ alignSelf: 'center' }}>
          <input type="checkbox" checked={onlyMatches} onChange={(e) => setOnlyMatches(e.target.checked)} /> {t('logs.onlyMatches')}
        </label>
        <Button onClick={download} disabled={lines.length === 0}>{t('logs.download')}</Button>
        <Button onClick={() => setGeneration((g) => g + 1)}>{t('logs.reload')}</Button>
      </div>
      <p className="muted" aria-live="polite">
        {state === 'following' ? t('logs.following') : state === 'loading' ? t('common.loading') : ''}{' '}
        {t('logs.lines', { count: lines.length })}
        {search ? ` · ${t('logs.matches', { count: matches })}` : ''}
      </p>
      {endReason && <Banner tone="warning" title={t('logs.ended')}>{endReason}</Banner>}
      <VirtualList
        className="log-view"
        items={shown}
        rowHeight={18}
        height={600}
        overscan={20}
        stickToBottom={follow && !previous}
        label={t('logs.view', { pod })}
        role="log"
        rowRole="presentation"
        getKey={(_, i) => String(i)}
        renderRow={(line) => highlight(line, search)}
      />
    </div>
  );
}
