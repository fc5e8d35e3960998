// A terminal into one container of a pod (xterm.js, in this page's own chunk), over the exec WebSocket. The
// terminal fills its frame, which the user can resize (drag its corner); every new size is sent on the resize
// channel so full-screen programs redraw to fit.
import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { buildQuery } from '../../api/client';
import { paths, websocketUrl } from '../../api/endpoints';
import { openTerminal } from '../../api/terminalStream';
import { useApi } from '../../app/context';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useI18n } from '../../i18n';
import { projectBase } from '../../shell/nav';
import { Banner } from '../../ui/Banner';
import { Button } from '../../ui/Button';
import { SelectField, TextField } from '../../ui/Field';
import { podPath } from './actions';
import { useProject } from './ProjectLayout';
import { usePodContainers } from './usePodContainers';

type State = { phase: 'idle' | 'connecting' | 'open' } | { phase: 'ended'; message: string; failed: boolean };

// A command line as argv: words split on spaces, "double" or 'single' quotes keep spaces.
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export default function PodTerminal() {
  const { t } = useI18n();
  const api = useApi();
  const project = useProject();
  const { pod, podInfo, containers } = usePodContainers();
  const [container, setContainer] = useState('');
  const [commandLine, setCommandLine] = useState('sh');
  // The running session: what it was opened with (editing the fields does not touch it).
  const [active, setActive] = useState<{ id: number; container: string; command: string } | null>(null);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const chosen = container || containers[0] || '';
  const start = () => setActive((a) => ({ id: (a?.id ?? 0) + 1, container: chosen, command: commandLine }));
  // Opens a session as soon as the pod's containers are known.
  const autoStarted = useRef(false);
  useEffect(() => {
    if (autoStarted.current || !chosen) return;
    autoStarted.current = true;
    setActive({ id: 1, container: chosen, command: 'sh' });
  }, [chosen]);
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const after = useRef<HTMLParagraphElement>(null);

  // One xterm for the page; sessions come and go in it.
  useEffect(() => {
    if (!host.current) return;
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace",
      fontSize: 13,
      scrollback: 5000,
      screenReaderMode: false,
      theme: { background: '#0d1117', foreground: '#e6edf3', cursor: '#e6edf3' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    const textarea = host.current.querySelector('textarea');
    textarea?.setAttribute('aria-label', t('terminal.input'));
    // Tab belongs to the shell; Shift+Escape leaves the terminal for the page's next control.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === 'keydown' && e.key === 'Escape' && e.shiftKey) {
        after.current?.focus();
        return false;
      }
      return true;
    });
    termRef.current = term;
    fitRef.current = fit;
    const fitNow = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    fitNow();
    const ro = new ResizeObserver(() => fitNow());
    ro.observe(host.current);
    return () => {
      ro.disconnect();
      term.dispose();
      termRef.current = null;
      fitRef.current = null;
    };
    // t only labels the input once
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const term = termRef.current;
    if (!term || !active) return;
    const argv = splitCommand(active.command);
    const url = websocketUrl(
      paths.podExec(project.cluster, project.namespace, pod),
      buildQuery({ container: active.container, command: argv.length ? argv : ['sh'], tty: 'true' }),
    );
    term.reset();
    setState({ phase: 'connecting' });
    let exit: string | null = null;
    const conn = openTerminal(url, {
      onOpen: () => {
        setState({ phase: 'open' });
        conn.resize(term.cols, term.rows);
        term.focus();
      },
      onOutput: (data) => term.write(data),
      onExit: (s) => {
        exit = s.success ? t('terminal.exited') : s.exitCode !== undefined ? t('terminal.exitedCode', { code: s.exitCode }) : (s.message ?? t('terminal.exited'));
      },
      onClose: ({ code, reason, opened }) => {
        if (!opened) {
          // The upgrade was refused (no access, no such container) or the server is unreachable: ask over
          // HTTP for the reason.
          setState({ phase: 'ended', message: t('terminal.couldNotOpen'), failed: true });
          api
            .get(paths.object(project.cluster, project.namespace, 'pods', pod))
            .then(() => undefined, (e: unknown) => setState({ phase: 'ended', message: e instanceof Error ? e.message : String(e), failed: true }));
          return;
        }
        const failed = code !== 1000 && exit === null;
        setState({ phase: 'ended', message: exit ?? (reason || t('terminal.closed', { code })), failed });
      },
    });
    const input = term.onData((d) => conn.input(d));
    const binary = term.onBinary((d) => conn.input(d));
    const resize = term.onResize(({ cols, rows }) => conn.resize(cols, rows));
    return () => {
      input.dispose();
      binary.dispose();
      resize.dispose();
      conn.close();
    };
  }, [api, project.cluster, project.namespace, pod, active, t]);

  const connected = state.phase === 'open' || state.phase === 'connecting';
  return (
    <div>
      <div className="breadcrumbs">
        <Link to={`${projectBase(project.workspace, project.project)}/pods`}>{t('nav.pods')}</Link> · {pod} ·{' '}
        <Link to={podPath(project.workspace, project.project, pod, 'logs')}>{t('logs.open')}</Link>
      </div>
      <h1>{t('terminal.title', { pod })}</h1>
      <ErrorBanner error={podInfo.error} onRetry={podInfo.reload} />
      <form
        className="log-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <SelectField label={t('logs.container')} value={chosen} disabled={connected}
          onChange={(e) => setContainer(e.target.value)} options={containers.map((c) => ({ value: c, label: c }))} />
        <TextField label={t('terminal.command')} value={commandLine} disabled={connected} autoComplete="off"
          onChange={(e) => setCommandLine(e.target.value)} hint={t('terminal.commandHint')} />
        {connected ? (
          <Button onClick={() => { setActive(null); setState({ phase: 'ended', message: t('terminal.disconnected'), failed: false }); }}>
            {t('terminal.disconnect')}
          </Button>
        ) : (
          <Button type="submit" variant="primary" disabled={!chosen}>
            {state.phase === 'idle' ? t('terminal.connect') : t('terminal.reconnect')}
          </Button>
        )}
      </form>
      <p className="muted" role="status">
        {state.phase === 'connecting' ? t('terminal.connecting') : state.phase === 'open' ? t('terminal.connected', { container: active?.container ?? chosen }) : ''}
      </p>
      {state.phase === 'ended' && (
        <Banner tone={state.failed ? 'error' : 'info'} title={t('terminal.ended')}>
          {state.message}
        </Banner>
      )}
      <div className="terminal-frame" aria-label={t('terminal.view', { pod })} role="group">
        <div ref={host} className="terminal-host" />
      </div>
      <p className="muted" ref={after} tabIndex={-1}>{t('terminal.resizeHint')}</p>
    </div>
  );
}
