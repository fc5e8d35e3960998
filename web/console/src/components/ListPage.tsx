// The list every page uses: a name filter, sorting by name or creation time, paging, and virtualised rows so
// a page of thousands (or "all") scrolls smoothly. Two sources:
//  - `load`: the API's list query parameters (docs/api-conventions.md); "All" reads 1,000 at a time; refreshed
//    on demand (or every `refreshMs`);
//  - `live`: a workload list kept up to date by the watch WebSocket (hooks/useLiveList.ts); the whole
//    namespace's objects are held, so filtering, sorting and paging happen here, at once.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ListQuery, ListResult } from '../api/client';
import type { KubeObject } from '../api/types';
import type { WatchSocketFactory } from '../api/watch';
import { useFetch } from '../hooks/useFetch';
import { type LiveStatus, mark, useLiveList } from '../hooks/useLiveList';
import { useT } from '../i18n';
import { Button } from '../ui/Button';
import { SelectField, TextField } from '../ui/Field';
import { VirtualList } from '../ui/VirtualList';
import { ErrorBanner } from './ErrorBanner';

export interface Column<T> {
  id: string;
  header: string;
  width?: string; // a CSS grid track, e.g. "2fr" or "120px"
  sortKey?: 'name' | 'creationTimestamp';
  render: (item: T) => ReactNode;
}

export interface LiveSource<T> {
  path: string;
  labelSelector?: string;
  // Keeps only some of the objects (e.g. the events of one workload).
  filter?: (item: T) => boolean;
  socket?: WatchSocketFactory; // tests
}

interface CommonProps<T> {
  label: string;
  columns: Column<T>[];
  rowKey: (item: T) => string;
  toolbar?: ReactNode;
  extraFilters?: ReactNode;
  emptyText?: string;
  rowHeight?: number;
  height?: number;
  defaultSort?: { sortBy: 'name' | 'creationTimestamp'; ascending: boolean };
  filterable?: boolean;
  pageSizes?: number[];
}

export interface ServerListProps<T> extends CommonProps<T> {
  load: (query: ListQuery, signal: AbortSignal) => Promise<ListResult<T>>;
  reloadKey?: unknown;
  refreshMs?: number;
  live?: undefined;
}

export interface LiveListProps<T> extends CommonProps<T> {
  live: LiveSource<T>;
  load?: undefined;
  reloadKey?: undefined;
  refreshMs?: undefined;
}

export type ListPageProps<T> = ServerListProps<T> | LiveListProps<T>;

const ALL = 0;
const SERVER_MAX = 1000;
const ALL_CAP = 100_000;

// Reads every page of a list, SERVER_MAX at a time (the API's largest limit).
export async function loadAll<T>(
  load: (q: ListQuery, signal: AbortSignal) => Promise<ListResult<T>>,
  query: ListQuery,
  signal: AbortSignal,
): Promise<ListResult<T>> {
  const items: T[] = [];
  let total = 0;
  for (let page = 1; ; page++) {
    const r = await load({ ...query, page, limit: SERVER_MAX }, signal);
    total = r.total;
    items.push(...r.items);
    if (r.items.length < SERVER_MAX || items.length >= total || items.length >= ALL_CAP) break;
  }
  return { items, total };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

type Sort = { sortBy: 'name' | 'creationTimestamp'; ascending: boolean };

export function ListPage<T>(props: ListPageProps<T>) {
  // The two sources never switch on one mounted list (the caller keys a list by its kind).
  return props.live ? <LiveList {...(props as unknown as LiveListProps<KubeObject>)} /> : <ServerList {...props} />;
}

function ServerList<T>({ load, reloadKey, refreshMs, ...common }: ServerListProps<T>) {
  const { defaultSort = { sortBy: 'creationTimestamp', ascending: false }, pageSizes = [50, 100, 500, 1000, ALL] } = common;
  const [filter, setFilter] = useState('');
  const name = useDebounced(filter, 250);
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [page, setPage] = useState(1);
  const [limit, setLimit] = useState(pageSizes.includes(100) ? 100 : pageSizes[0]);
  useEffect(() => setPage(1), [name, sort, limit, reloadKey]);

  // The page's request (or every page's, for "all"), cancelled when the inputs change, again when the connection
  // comes back (useFetch) and every refreshMs.
  const fetched = useFetch<ListResult<T>>((signal) => {
    const query: ListQuery = { name: name || undefined, sortBy: sort.sortBy, ascending: sort.ascending };
    return limit === ALL ? loadAll(load, query, signal) : load({ ...query, page, limit }, signal);
  }, [name, sort, page, limit, reloadKey]);
  const result = fetched.data ?? null;
  const { loading, reload } = fetched;

  useEffect(() => {
    if (!refreshMs) return;
    const h = setInterval(() => {
      if (document.visibilityState !== 'hidden') reload();
    }, refreshMs);
    return () => clearInterval(h);
  }, [refreshMs, reload]);

  return (
    <ListFrame<T>
      {...common}
      filter={filter}
      setFilter={setFilter}
      sort={sort}
      setSort={setSort}
      page={page}
      setPage={setPage}
      limit={limit}
      setLimit={setLimit}
      items={result?.items ?? []}
      total={result?.total ?? 0}
      loading={loading}
      refreshing={loading && result !== null}
      onRefresh={reload}
      error={fetched.error ?? null}
    />
  );
}

function compareBy(sort: Sort) {
  const dir = sort.ascending ? 1 : -1;
  return (a: KubeObject, b: KubeObject) => {
    if (sort.sortBy === 'creationTimestamp') {
      const ta = a.metadata.creationTimestamp ?? '';
      const tb = b.metadata.creationTimestamp ?? '';
      if (ta !== tb) return ta < tb ? -dir : dir;
    }
    const na = a.metadata.name;
    const nb = b.metadata.name;
    return na === nb ? 0 : na < nb ? -dir : dir;
  };
}

function LiveList<T extends KubeObject>({ live, ...common }: LiveListProps<T>) {
  const { defaultSort = { sortBy: 'creationTimestamp', ascending: false }, pageSizes = [50, 100, 500, 1000, ALL] } = common;
  const list = useLiveList<T>(live.path, { labelSelector: live.labelSelector, socket: live.socket });
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>(defaultSort);
  const [page, setPage] = useState(1);
  // Everything is held already: by default all of it, in one virtualised list.
  const [limit, setLimit] = useState(pageSizes.includes(ALL) ? ALL : pageSizes[pageSizes.length - 1]);
  const keep = live.filter;

  useEffect(() => setPage(1), [filter, sort, limit, live.path, live.labelSelector]);

  const matching = useMemo(() => {
    // The same rule as the API's `name` parameter: a case-sensitive substring of metadata.name.
    const out = list.items.filter((o) => (!filter || o.metadata.name.includes(filter)) && (!keep || keep(o)));
    return out.sort(compareBy(sort));
  }, [list.items, filter, sort, keep]);
  const pages = limit === ALL ? 1 : Math.max(1, Math.ceil(matching.length / limit));
  const shown = useMemo(
    () => (limit === ALL ? matching : matching.slice((Math.min(page, pages) - 1) * limit, Math.min(page, pages) * limit)),
    [matching, page, pages, limit],
  );

  // Time from the last object of the first sync to the first screen painted (read by the e2e suite).
  const painted = useRef(false);
  useEffect(() => {
    if (painted.current || !list.synced) return;
    painted.current = true;
    requestAnimationFrame(() => setTimeout(() => mark('atrium:list:painted'), 0));
  }, [list.synced]);

  return (
    <ListFrame<T>
      {...common}
      filter={filter}
      setFilter={setFilter}
      sort={sort}
      setSort={setSort}
      page={Math.min(page, pages)}
      setPage={setPage}
      limit={limit}
      setLimit={setLimit}
      items={shown}
      total={matching.length}
      loading={!list.synced && list.items.length === 0 && list.status !== 'failed'}
      refreshing={false}
      onRefresh={list.reconnect}
      error={list.error}
      liveStatus={list.status}
    />
  );
}

interface FrameProps<T> extends CommonProps<T> {
  filter: string;
  setFilter: (v: string) => void;
  sort: Sort;
  setSort: (s: Sort) => void;
  page: number;
  setPage: (f: (p: number) => number) => void;
  limit: number;
  setLimit: (n: number) => void;
  items: T[];
  total: number;
  loading: boolean;
  refreshing: boolean;
  onRefresh: () => void;
  error: unknown;
  liveStatus?: LiveStatus;
}

function LiveBadge({ status }: { status: LiveStatus }) {
  const t = useT();
  const text: Record<LiveStatus, string> = {
    connecting: t('live.connecting'),
    live: t('live.live'),
    reconnecting: t('live.reconnecting'),
    polling: t('live.polling'),
    offline: t('live.offline'),
    failed: t('live.failed'),
  };
  const tone = status === 'live' ? 'badge-ok' : status === 'failed' || status === 'offline' ? 'badge-bad' : 'badge-warn';
  return (
    <span className={`badge ${tone}`} role="status" title={t('live.hint')}>
      {text[status]}
    </span>
  );
}

function ListFrame<T>({
  label,
  columns,
  rowKey,
  toolbar,
  extraFilters,
  emptyText,
  rowHeight = 40,
  height = 560,
  filterable = true,
  pageSizes = [50, 100, 500, 1000, ALL],
  filter,
  setFilter,
  sort,
  setSort,
  page,
  setPage,
  limit,
  setLimit,
  items,
  total,
  loading,
  refreshing,
  onRefresh,
  error,
  liveStatus,
}: FrameProps<T>) {
  const t = useT();
  const template = useMemo(() => columns.map((c) => c.width ?? '1fr').join(' '), [columns]);
  const pages = limit === ALL ? 1 : Math.max(1, Math.ceil(total / limit));

  const sortButton = (c: Column<T>) => {
    if (!c.sortKey) return c.header;
    const active = sort.sortBy === c.sortKey;
    const next: Sort = { sortBy: c.sortKey, ascending: active ? !sort.ascending : c.sortKey === 'name' };
    return (
      <button type="button" className="sort-btn" onClick={() => setSort(next)}>
        {c.header} {active ? (sort.ascending ? '▲' : '▼') : ''}
        <span className="visually-hidden">
          {active ? (sort.ascending ? t('list.sortedAscending') : t('list.sortedDescending')) : t('list.sortable')}
        </span>
      </button>
    );
  };

  return (
    <div className="list">
      <div className="list-toolbar">
        {filterable && (
          <TextField
            label={t('list.filterByName')}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder={t('list.filterPlaceholder')}
          />
        )}
        {extraFilters}
        <div style={{ flex: 1 }} />
        {liveStatus ? (
          <>
            <LiveBadge status={liveStatus} />
            {liveStatus !== 'live' && liveStatus !== 'connecting' && (
              <Button onClick={onRefresh}>{t('live.reconnectNow')}</Button>
            )}
          </>
        ) : (
          <Button onClick={onRefresh} busy={refreshing}>
            {t('common.refresh')}
          </Button>
        )}
        {toolbar}
      </div>
      <ErrorBanner error={error} onRetry={onRefresh} />
      <div className="table" role="table" aria-label={label} aria-rowcount={items.length + 1} aria-busy={loading}>
        <div role="rowgroup">
          <div className="thead" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
            {columns.map((c) => (
              <div
                key={c.id}
                role="columnheader"
                className="th"
                aria-sort={
                  c.sortKey && sort.sortBy === c.sortKey ? (sort.ascending ? 'ascending' : 'descending') : undefined
                }
              >
                {sortButton(c)}
              </div>
            ))}
          </div>
        </div>
        {items.length === 0 ? (
          <div className="empty" role="rowgroup">
            <div role="row">
              <div role="cell">{loading ? t('common.loading') : (emptyText ?? t('list.empty'))}</div>
            </div>
          </div>
        ) : (
          <VirtualList
            items={items}
            rowHeight={rowHeight}
            height={height}
            getKey={(item) => rowKey(item)}
            label={t('list.rows')}
            renderRow={(item) => (
              <div className="vrow-grid" style={{ display: 'grid', gridTemplateColumns: template, height: '100%', alignItems: 'center' }}>
                {columns.map((c) => (
                  <div key={c.id} role="cell" className="td">
                    {c.render(item)}
                  </div>
                ))}
              </div>
            )}
          />
        )}
      </div>
      <div className="list-footer">
        <span aria-live="polite">{t('list.total', { count: total })}</span>
        <div className="pager">
          <SelectField
            label={t('list.pageSize')}
            value={String(limit)}
            onChange={(e) => setLimit(Number(e.target.value))}
            options={pageSizes.map((n) => ({ value: String(n), label: n === ALL ? t('list.all') : String(n) }))}
            fieldClassName="inline-field"
          />
          {limit !== ALL && (
            <>
              <Button onClick={() => setPage((p) => Math.max(1, p - 1))} disabled={page <= 1}>
                {t('list.previous')}
              </Button>
              <span>{t('list.pageOf', { page, pages })}</span>
              <Button onClick={() => setPage((p) => Math.min(pages, p + 1))} disabled={page >= pages}>
                {t('list.next')}
              </Button>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
