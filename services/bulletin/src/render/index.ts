import type { BulletinDocument } from '../document.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';

export { renderCsv, renderHtml, renderJson, renderMarkdown };
export { barChart } from './charts.ts';
export { describeChange, formatValue } from './format.ts';

export interface RenderedBulletin {
  html: string;
  markdown: string;
  csv: string;
  json: string;
}

/** All four outputs of one document; they are rendered from the same data, so they agree. */
export function renderAll(doc: BulletinDocument): RenderedBulletin {
  return { html: renderHtml(doc), markdown: renderMarkdown(doc), csv: renderCsv(doc), json: renderJson(doc) };
}
