import type { PreviewCell, TablePreview } from '../../src/protocol/index.js';
import { el, formatNumber } from './dom.js';

/** Rows a page of the table shows. */
export const PAGE_ROWS = 50;

type Order = { column: number; descending: boolean } | undefined;

/**
 * A table preview: a header button per column sorts the preview's rows by it (click or Enter; again: the other way),
 * and pages of PAGE_ROWS rows with Previous / Next.
 */
export function renderTable(preview: TablePreview): HTMLElement {
  const root = el('div', 'preview-table');
  const scroller = el('div', 'preview-table-scroll');
  const table = el('table');
  const head = el('thead');
  const body = el('tbody');
  const pager = el('div', 'preview-pager');
  const previous = el('button', undefined, 'Previous');
  const next = el('button', undefined, 'Next');
  const where = el('span', 'preview-page');
  where.setAttribute('aria-live', 'polite');
  previous.type = next.type = 'button';
  pager.append(previous, where, next);
  table.append(head, body);
  scroller.append(table);
  root.append(scroller, pager);

  let order: Order;
  let page = 0;
  let rows = preview.rows;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));

  const headerRow = el('tr');
  const headers = preview.columns.map((name, column) => {
    const th = el('th');
    th.scope = 'col';
    const button = el('button', 'preview-sort', name);
    button.type = 'button';
    button.title = `Sort by ${name}`;
    button.addEventListener('click', () => {
      order = order?.column === column ? { column, descending: !order.descending } : { column, descending: false };
      rows = sortRows(preview.rows, order.column, order.descending);
      page = 0;
      draw();
    });
    if (typeof preview.rows[0]?.[column] === 'number') th.classList.add('numeric');
    th.append(button);
    headerRow.append(th);
    return th;
  });
  head.append(headerRow);

  previous.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    draw();
  });
  next.addEventListener('click', () => {
    page = Math.min(pages - 1, page + 1);
    draw();
  });

  function draw(): void {
    headers.forEach((th, column) => th.setAttribute('aria-sort', order?.column !== column ? 'none' : order.descending ? 'descending' : 'ascending'));
    body.replaceChildren(
      ...rows.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS).map((row) => {
        const tr = el('tr');
        for (const cell of row) tr.append(cellElement(cell));
        return tr;
      }),
    );
    const first = page * PAGE_ROWS + 1;
    const last = Math.min(rows.length, (page + 1) * PAGE_ROWS);
    where.textContent = `Rows ${first}–${last} of ${rows.length}`;
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  draw();
  return root;
}

function cellElement(cell: PreviewCell): HTMLTableCellElement {
  const td = el('td');
  if (cell === null) {
    td.textContent = 'null';
    td.className = 'cell-null';
  } else if (typeof cell === 'object') {
    td.textContent = cell.text;
    td.className = 'cell-text';
  } else if (typeof cell === 'number') {
    // Short in the table; the exact value in its tooltip.
    td.textContent = formatNumber(cell);
    td.title = String(cell);
    td.className = 'cell-number';
  } else {
    td.textContent = String(cell);
    td.className = `cell-${typeof cell}`;
  }
  return td;
}

/** Numbers before strings before booleans before null and non-JSON cells; a stable sort, so ties keep the value's order. */
function sortRows(rows: PreviewCell[][], column: number, descending: boolean): PreviewCell[][] {
  const sign = descending ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = a.row[column]!;
      const y = b.row[column]!;
      const rank = rankOf(x) - rankOf(y);
      if (rank !== 0) return rank;
      const c = compare(x, y);
      return c !== 0 ? sign * c : a.index - b.index;
    })
    .map(({ row }) => row);
}

function rankOf(cell: PreviewCell): number {
  if (typeof cell === 'number') return 0;
  if (typeof cell === 'string') return 1;
  if (typeof cell === 'boolean') return 2;
  return cell === null ? 3 : cell.text === '' ? 5 : 4;
}

function compare(x: PreviewCell, y: PreviewCell): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  const a = typeof x === 'string' ? x : x === null ? '' : typeof x === 'object' ? x.text : '';
  const b = typeof y === 'string' ? y : y === null ? '' : typeof y === 'object' ? y.text : '';
  return a.localeCompare(b, undefined, { numeric: true });
}
