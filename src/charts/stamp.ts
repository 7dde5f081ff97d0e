/**
 * The date a chart was drawn, kept inside its SVG as a comment, so the /report page can say when
 * the chart's data was measured: a file's modification time is only when it was last copied (on
 * a fresh clone, the clone's time).
 */

const STAMP = /<!-- tinycnn chart, drawn (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) -->/;

/**
 * The SVG with its date, as a comment just inside the root element.
 * @param svg  an SVG document
 * @param date when the chart (and its data) was made
 */
export function stampSvg(svg: string, date: Date): string {
  const root = svg.indexOf('<svg');
  const end = root < 0 ? -1 : svg.indexOf('>', root);
  if (end < 0) return svg;
  return `${svg.slice(0, end + 1)}<!-- tinycnn chart, drawn ${date.toISOString()} -->${svg.slice(end + 1)}`;
}

/** The date stampSvg put in an SVG, or undefined (an older or foreign chart). */
export function svgDate(svg: string): Date | undefined {
  const match = STAMP.exec(svg);
  return match === null ? undefined : new Date(match[1]);
}
