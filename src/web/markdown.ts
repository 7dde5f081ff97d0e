/**
 * The small markdown subset `tinycnn loadtest` and `tinycnn plan` print, as HTML:
 * pipe tables (with their alignment row), "- " list items, "# " headings, `code`,
 * and text lines. A line ending in ":" is a lead-in; indented lines after a text
 * line continue it (the planner wraps its recommendation), or stay preformatted
 * when they hold aligned columns (the load tester's warm / cold summaries). The "Charts:" block
 * (file paths) is left out: the report shows the charts themselves.
 * Everything is escaped; no raw HTML passes through.
 */
import { escapeHtml } from './html.js';

/**
 * Markdown text -> HTML.
 * @param text  the command's stdout
 * @param label accessible name prefix for the tables (e.g. "Load test")
 */
export function markdownToHtml(text: string, label: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  let tables = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
    } else if (line.trimStart().startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i].trimStart().startsWith('|')) rows.push(lines[i++].trim());
      tables++;
      out.push(table(rows, tables === 1 ? label : `${label} (${tables})`));
    } else if (/^\s*- /.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*- /.test(lines[i])) items.push(lines[i++].replace(/^\s*- /, ''));
      out.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    } else if (/^#{1,6} /.test(line)) {
      out.push(`<h4>${inline(line.replace(/^#+ /, ''))}</h4>`);
      i++;
    } else {
      const first = line.trim();
      const rest: string[] = [];
      i++;
      while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*- /.test(lines[i])) rest.push(lines[i++].trim());
      if (first === 'Charts:') continue;
      const lead = first.endsWith(':') ? `<strong>${inline(first)}</strong>` : inline(first);
      if (rest.length === 0) out.push(`<p>${lead}</p>`);
      // aligned columns (the warm / cold protocol summaries) keep their layout
      else if (rest.some((r) => /\S {2,}\S/.test(r))) out.push(`<p>${lead}</p>\n<pre>${escapeHtml(rest.join('\n'))}</pre>`);
      else out.push(`<p>${lead} ${inline(rest.join(' '))}</p>`);
    }
  }
  return out.join('\n');
}

/** Pipe-table rows (header, alignment, body) -> a scrollable, labelled table. */
function table(rows: string[], label: string): string {
  const cells = (row: string) =>
    row
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim());
  const head = cells(rows[0]);
  const hasAlign = rows.length > 1 && /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/.test(rows[1]);
  const align = hasAlign ? cells(rows[1]).map((a) => (a.endsWith(':') && a.startsWith(':') ? 'center' : a.endsWith(':') ? 'right' : 'left')) : [];
  const body = rows.slice(hasAlign ? 2 : 1).map(cells);
  const attr = (j: number) => (align[j] === 'right' ? ' class="num"' : align[j] === 'center' ? ' class="mid"' : '');
  const th = head.map((h, j) => `<th scope="col"${attr(j)}>${inline(h)}</th>`).join('');
  const tr = body.map((r) => `<tr>${r.map((c, j) => `<td${attr(j)}>${inline(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap" role="region" aria-label="${escapeHtml(label)} table" tabindex="0"><table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody></table></div>`;
}

/**
 * Escapes a line and turns `code` spans into <code>. The planner's ⭐ (its pick) becomes a
 * text star with words for screen readers: an emoji font is not everywhere (headless Chromium).
 */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\s*\u2B50\uFE0F?/g, ' <span class="pick" aria-hidden="true">★</span><span class="visually-hidden"> (recommended)</span>');
}
