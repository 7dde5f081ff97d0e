/**
 * HTML text helpers for the server-rendered report page: escaping, and the page
 * shell (head, header with navigation, main) shared with the static demo page's
 * look (src/web/public/index.html carries the same header by hand).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text -> HTML-safe text (for element content and quoted attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A tagged template: interpolated values are escaped unless wrapped by raw(). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new Raw(out);
}

/** Markup that is already safe (built by html`` or escaped by hand). */
export class Raw {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Marks a string as safe markup. */
export function raw(text: string): Raw {
  return new Raw(text);
}

function render(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** The page shell: which nav entry is current, the title, the main content. */
export function page(current: 'demo' | 'report', title: string, main: Raw): string {
  const link = (href: string, name: 'demo' | 'report', text: string) =>
    html`<a href="${href}"${raw(current === name ? ' aria-current="page"' : '')}>${text}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top${current === 'report' ? ' wide' : ''}">
<p class="brand"><a href="/">tinycnn</a></p>
<nav aria-label="Pages">${link('/', 'demo', 'Try the models')} ${link('/report', 'report', 'Measurements')}</nav>
</header>
<main id="main"${raw(current === 'report' ? ' class="wide"' : '')}>
${main}
</main>
</body>
</html>
`.text;
}
