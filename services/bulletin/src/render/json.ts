import type { BulletinDocument } from '../document.ts';

/** The document itself, pretty-printed: the machine-readable bulletin (parses back to the same data). */
export function renderJson(doc: BulletinDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
