/**
 * `crsim simulate --html FILE`: one standalone page (no script, no network)
 * with the estimates, the time statistics and the plots as inline SVG drawn by
 * vega-lite in Node: the restart-duration CDF and histogram, or with --sweep
 * the probabilities against the parameter.
 */
import type { Tally } from '../engine/smc.ts';
import { cdfPlotSpec, histogramPlotSpec, prob, renderSvg, sweepPlotSpec, type SimulationReport } from './simulate.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const us = (x: number): string => (Number.isNaN(x) ? '–' : x >= 1e3 ? `${(x / 1000).toFixed(2)} ms` : `${x.toFixed(1)} µs`);

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}tr.hit td{background:#fff3f0}
figure{margin:1em 0}figcaption{color:#555;font-size:12px}code{background:#f4f4f4;padding:0 .2em}`;

function estimatesTable(r: SimulationReport): string {
  const pct = Math.round(r.confidence * 1000) / 10;
  const rows = r.properties
    .map((p) => `<tr class="${p.k > 0 ? 'hit' : ''}" data-property="${p.id}"><td title="${esc(p.title)}">${p.id}</td><td>${p.k.toLocaleString('en-US')}/${p.n.toLocaleString('en-US')}</td><td>${prob(p.n ? p.k / p.n : 0)}</td><td>[${prob(p.lo)}, ${prob(p.hi)}]</td><td>${p.firstRun ?? ''}</td></tr>`)
    .join('\n');
  return `<table id="estimates"><thead><tr><th>property</th><th>violating runs</th><th>Pr(violated)</th><th>${pct}% CI (exact)</th><th>first run</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function timesTable(r: SimulationReport): string {
  const rows = Object.entries(r.times)
    .map(([name, t]) => `<tr><td>${esc(name)}</td><td>${t.count.toLocaleString('en-US')}</td><td>${us(t.mean.value)} [${us(t.mean.lo)}, ${us(t.mean.hi)}]</td>${t.percentiles.map((q) => `<td>${us(q.value)}</td>`).join('')}<td>${us(t.max)}</td></tr>`)
    .join('\n');
  return `<table id="times"><thead><tr><th>time</th><th>runs</th><th>mean [CI]</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

export async function simulationHtml(r: SimulationReport, tally: Tally, lines: readonly string[]): Promise<string> {
  const cdf = await renderSvg(cdfPlotSpec(r, tally));
  const hist = await renderSvg(histogramPlotSpec(r, tally));
  return page(
    `crsim simulate: ${r.model}`,
    [
      `<h1>crsim simulate · ${esc(r.model)} · ${esc(r.scenario)}</h1>`,
      `<p>profile <code>${esc(r.profile.name)}</code>${r.profile.source ? ` (${esc(r.profile.source)})` : ''}; ${r.runs.toLocaleString('en-US')} timed runs (${esc(r.runsBy)}), seed ${r.seed}.</p>`,
      estimatesTable(r),
      timesTable(r),
      `<figure id="cdf">${cdf}<figcaption>restart duration: the fraction of runs ended by each time (log scale)</figcaption></figure>`,
      `<figure id="histogram">${hist}<figcaption>restart duration: histogram</figcaption></figure>`,
      `<pre id="summary">${esc(lines.join('\n'))}</pre>`,
    ].join('\n'),
  );
}

export async function sweepHtml(param: string, rows: readonly { value: number; report: SimulationReport }[], table: readonly string[]): Promise<string> {
  const svg = await renderSvg(sweepPlotSpec(param, rows));
  const r = rows[0]!.report;
  return page(
    `crsim simulate: sweep of ${param}`,
    [
      `<h1>crsim simulate · ${esc(r.model)} · ${esc(r.scenario)} · sweep of the ${esc(param)} scale</h1>`,
      `<figure id="sweep">${svg}<figcaption>Pr(violated) per restart against the ${esc(param)} delay scale, with exact ${Math.round(r.confidence * 100)}% intervals</figcaption></figure>`,
      `<pre id="summary">${esc(table.join('\n'))}</pre>`,
    ].join('\n'),
  );
}
