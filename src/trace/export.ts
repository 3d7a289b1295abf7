/** The export formats of `crsim report`, by name. */
import type { Trace } from './annotate.ts';
import { toHtml } from './html.ts';
import { toItf } from './itf.ts';
import { toTraceJson } from './json.ts';
import { toMermaid } from './mermaid.ts';
import { toPerfetto } from './perfetto.ts';

export const FORMATS = ['html', 'mermaid', 'perfetto', 'itf', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The file extension each format conventionally takes. */
export const EXTENSIONS: Readonly<Record<Format, string>> = {
  html: '.html',
  mermaid: '.mmd',
  perfetto: '.perfetto.json',
  itf: '.itf.json',
  json: '.trace.json',
};

/**
 * A trace in one of the export formats, as text.
 *
 * @example
 * writeFileSync('cex.itf.json', exportTrace(trace, 'itf'));
 */
export function exportTrace(trace: Trace, format: Format): string {
  switch (format) {
    case 'html':
      return toHtml(trace);
    case 'mermaid':
      return `${toMermaid(trace)}\n`;
    case 'perfetto':
      return `${JSON.stringify(toPerfetto(trace))}\n`;
    case 'itf':
      return `${JSON.stringify(toItf(trace), null, 1)}\n`;
    case 'json':
      return `${JSON.stringify(toTraceJson(trace), null, 1)}\n`;
  }
}
