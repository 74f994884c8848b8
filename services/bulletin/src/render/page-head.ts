import { escapeHtml } from './escape.ts';

/** The opening of every page govstats writes, up to <body>: Chinese, no scripts, styles inline so it works opened from disk. */
export function pageHead(title: string, style: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="govstats">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
  ];
}
