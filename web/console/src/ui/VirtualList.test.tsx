import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { VirtualList, visibleRange } from './VirtualList';

const rows = Array.from({ length: 10_000 }, (_, i) => `row ${i}`);

function renderList() {
  return render(
    <div role="table" aria-label="big">
      <VirtualList items={rows} rowHeight={20} height={400} overscan={5} getKey={(r) => r} renderRow={(r) => <span role="cell">{r}</span>} label="rows" />
    </div>,
  );
}

describe('VirtualList', () => {
  it('renders only a window of 10,000 rows', () => {
    renderList();
    const rendered = screen.getAllByRole('row');
    // 400 px / 20 px = 20 visible rows, plus overscan below (none above the first row) and one partial row
    expect(rendered.length).toBe(26);
    expect(screen.getByText('row 0')).toBeTruthy();
    expect(screen.queryByText('row 100')).toBeNull();
    expect(screen.queryByText('row 9999')).toBeNull();
    // the spacer is as tall as all rows, so the scrollbar is true to the list's length
    const viewport = screen.getByRole('rowgroup', { name: 'rows' });
    expect((viewport.firstChild as HTMLElement).style.height).toBe(`${10_000 * 20}px`);
  });

  it('moves the window when scrolled, and labels rows with their position', async () => {
    renderList();
    const viewport = screen.getByRole('rowgroup', { name: 'rows' });
    await act(async () => {
      viewport.scrollTop = 9_000 * 20;
      fireEvent.scroll(viewport);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    });
    expect(screen.queryByText('row 0')).toBeNull();
    expect(screen.getByText('row 9000')).toBeTruthy();
    const row = screen.getByText('row 9000').closest('[role="row"]')!;
    expect(row.getAttribute('aria-rowindex')).toBe(String(9000 + 2));
    // 20 visible, 5 overscan on each side, one partial row
    expect(screen.getAllByRole('row').length).toBe(31);
  });

  it('visibleRange clamps at both ends', () => {
    expect(visibleRange(0, 100, 10, 5, 3)).toEqual({ start: 0, end: 5 });
    expect(visibleRange(-50, 100, 10, 1000, 3)).toEqual({ start: 0, end: 14 });
    expect(visibleRange(9_990, 100, 10, 1000, 3)).toEqual({ start: 996, end: 1000 });
  });
});
