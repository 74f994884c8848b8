import type { BulletinDocument } from '../document.ts';
import { buildContent, type Block, type TableBlock } from './content.ts';

/*
 * The bulletin as GitHub-flavoured Markdown: the same wording, tables, data quality and revision
 * notes as the HTML (both render content.ts). Charts are left out: their figures are in the table
 * right before them, and Markdown viewers do not show inline SVG reliably.
 */

/** Escapes text so Markdown shows it literally and renders no HTML from it (place names are data). */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\r?\n/g, ' ')
      // Line starts that would make a heading or a list item.
      .replace(/^([#+-])(?=\s|$)/u, '\\$1')
      .replace(/^(\d+)([.)])(?=\s|$)/u, '$1\\$2')
  );
}

function renderTable(table: TableBlock): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const rule = table.head.map((_, i) => {
    const align = table.align[i] ?? 'left';
    return align === 'right' ? '---:' : align === 'center' ? ':---:' : ':---';
  });
  const lines: string[] = [];
  if (table.caption) lines.push(`**${escapeMarkdown(table.caption)}**`, '');
  lines.push(line(table.head.map(escapeMarkdown)));
  lines.push(line(rule));
  for (const row of table.rows) lines.push(line(row.map(escapeMarkdown)));
  for (const row of table.foot) lines.push(line(row.map((cell) => (cell ? `**${escapeMarkdown(cell)}**` : ''))));
  return lines.join('\n');
}

function renderBlock(block: Block): string | null {
  switch (block.kind) {
    case 'paragraph':
      return escapeMarkdown(block.text);
    case 'list':
      return block.items.map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${escapeMarkdown(item)}`).join('\n');
    case 'chart':
      return null;
    case 'table':
      return renderTable(block);
  }
}

/** Renders the bulletin as Markdown (GitHub-style tables). */
export function renderMarkdown(doc: BulletinDocument): string {
  const content = buildContent(doc);
  const parts: string[] = [];
  parts.push(`# ${escapeMarkdown(content.title)}`);
  parts.push(
    `${escapeMarkdown(content.issuer)}  \n${escapeMarkdown(content.period)}  \n**${escapeMarkdown(content.status.label)}**：${escapeMarkdown(content.status.text)}`,
  );
  if (content.revision) {
    parts.push(
      `> **${escapeMarkdown(content.revision.heading)}**  \n> ${escapeMarkdown(content.revision.intro)}\n>\n${content.revision.items.map((item, i) => `> ${i + 1}. ${escapeMarkdown(item)}`).join('\n')}`,
    );
  }
  for (const section of content.sections) {
    parts.push(`## ${escapeMarkdown(`${section.number}、${section.title}`)}`);
    for (const block of section.blocks) {
      const rendered = renderBlock(block);
      if (rendered) parts.push(rendered);
    }
  }
  parts.push('## 注释');
  parts.push(content.notes.map((note, i) => `${i + 1}. ${escapeMarkdown(note)}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}
