// Windowing for long lists: only the rows in view (plus a few above and below) are in the DOM, inside a
// spacer as tall as all rows, so 10,000 rows cost what 30 do. Rows have one fixed height. The viewport is
// focusable so the keyboard scrolls it; rows carry aria-rowindex so assistive technology knows the position.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  // Height of the viewport before it is measured (and in environments without layout, such as tests).
  height?: number;
  overscan?: number;
  renderRow: (item: T, index: number) => ReactNode;
  getKey: (item: T, index: number) => string;
  label?: string;
  className?: string;
  // Index of the first row in aria-rowindex (header rows come before it).
  ariaRowOffset?: number;
  // Keep the last row in view as rows are added (a followed log), unless the user scrolled up.
  stickToBottom?: boolean;
  role?: string;
  rowRole?: string;
}

export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan: number) {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(viewport / rowHeight) + overscan + 1);
  return { start, end };
}

export function VirtualList<T>({
  items,
  rowHeight,
  height = 480,
  overscan = 6,
  renderRow,
  getKey,
  label,
  className,
  ariaRowOffset = 1,
  stickToBottom = false,
  role = 'rowgroup',
  rowRole = 'row',
}: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(height);
  const frame = useRef(0);

  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (el.clientHeight > 0) setViewport(el.clientHeight);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A shorter list (a new filter) must not leave the viewport scrolled past its end.
  useEffect(() => {
    const el = ref.current;
    if (el && el.scrollTop > items.length * rowHeight) {
      el.scrollTop = 0;
      setScrollTop(0);
    }
  }, [items.length, rowHeight]);

  const atBottom = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (!stickToBottom || !el || !atBottom.current) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(Math.max(0, items.length * rowHeight - viewport));
  }, [stickToBottom, items.length, rowHeight, viewport]);

  const onScroll = (e: React.UIEvent<HTMLDivElement>) => {
    const top = e.currentTarget.scrollTop;
    atBottom.current = top + e.currentTarget.clientHeight >= e.currentTarget.scrollHeight - rowHeight;
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(top));
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const { start, end } = visibleRange(scrollTop, viewport, rowHeight, items.length, overscan);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <div
        key={getKey(items[i], i)}
        role={rowRole}
        aria-rowindex={rowRole === 'row' ? i + ariaRowOffset + 1 : undefined}
        className="vrow"
        style={{ height: rowHeight }}
      >
        {renderRow(items[i], i)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className={`vlist${className ? ` ${className}` : ''}`}
      style={{ maxHeight: height }}
      onScroll={onScroll}
      // The viewport scrolls by keyboard only when it can take focus (WCAG 2.1.1; axe's scrollable-region-focusable);
      // its role (a row group, a log) has no interactive equivalent to use instead.
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
      role={role}
      aria-label={label}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        <div style={{ transform: `translateY(${start * rowHeight}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
