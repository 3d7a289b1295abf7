/**
 * A trace as one self-contained HTML page (inline CSS and JS, no network): one
 * lane per actor, time going down, each step a box in its actor's lane, token
 * hand-offs and wake-ups as arrows between lanes, blocked intervals as hatched
 * bars on the lifeline, and what each step changed (with the kernel line it
 * implements and the whole state after it) in a panel when the step is clicked.
 * The geometry is computed here, so the page draws the same in any browser.
 */
import { annotate, type Annotated, type Lane, type Trace } from './annotate.ts';

const GUTTER = 46;
const LANE_W = 168;
const ROW_H = 30;
const HEAD_H = 56;
const CHANGES_W = 430;
const BOX_W = LANE_W - 22;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(s: string, chars: number): string {
  return s.length > chars ? `${s.slice(0, chars - 1)}…` : s;
}

/** coordinator, live, zombie, thread, ghost, extra, environment: a colour each */
function laneClass(l: Lane): string {
  if (l.kind !== 'task') return l.kind;
  const kind = l.name.split(' ')[0]!;
  return ['live', 'zombie', 'thread', 'ghost', 'extra'].includes(kind) ? kind : 'live';
}

const cx = (lane: number): number => GUTTER + lane * LANE_W + LANE_W / 2;
const cy = (n: number): number => HEAD_H + (n - 1) * ROW_H + ROW_H / 2;

/** The lane names, in their own strip that stays on top while the steps scroll. */
function headSvg(a: Annotated): string {
  const lanesW = a.lanes.length * LANE_W;
  const width = GUTTER + lanesW + CHANGES_W;
  const out = [`<svg id="lane-heads" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEAD_H}" viewBox="0 0 ${width} ${HEAD_H}">`];
  a.lanes.forEach((l, i) => {
    const x = GUTTER + i * LANE_W;
    out.push(`<g class="lane-title ${laneClass(l)}" data-lane="${i}">`);
    out.push(`<rect class="lane-head" x="${x + 8}" y="12" width="${LANE_W - 16}" height="30" rx="15"/>`);
    out.push(`<text class="lane-name" x="${cx(i)}" y="32" text-anchor="middle">${esc(clip(l.name, 20))}</text>`);
    out.push('</g>');
  });
  out.push(`<text class="col-head" x="${GUTTER + lanesW + 14}" y="32">what changed</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function svg(a: Annotated, trace: Trace): string {
  const rows = a.steps.length;
  const lanesW = a.lanes.length * LANE_W;
  const width = GUTTER + lanesW + CHANGES_W;
  const height = HEAD_H + rows * ROW_H + 24;
  const out: string[] = [];
  // the body keeps the heads' coordinates: its first HEAD_H pixels are hidden under the sticky strip
  out.push(`<svg id="lanes" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height - HEAD_H}" viewBox="0 ${HEAD_H} ${width} ${height - HEAD_H}" role="img" aria-label="swimlane: one lane per actor, time going down">`);
  out.push(`<defs>
  <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="var(--blocked-bg)"/><line x1="0" y1="0" x2="0" y2="6" stroke="var(--blocked)" stroke-width="2.5"/></pattern>
  <marker id="head-token" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="var(--token)"/></marker>
  <marker id="head-failed" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="var(--bad)"/></marker>
  <marker id="head-wake" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="var(--wake)"/></marker>
</defs>`);
  // lane backgrounds and headers
  a.lanes.forEach((l, i) => {
    const x = GUTTER + i * LANE_W;
    out.push(`<g class="lane ${laneClass(l)}" data-lane="${i}">`);
    out.push(`<rect class="lane-bg" x="${x}" y="${HEAD_H}" width="${LANE_W}" height="${height - HEAD_H}"/>`);
    const endRow = a.finishedAt[i] ?? null;
    const y2 = endRow !== null ? cy(endRow) : height - 12;
    out.push(`<line class="lifeline" x1="${cx(i)}" y1="${HEAD_H}" x2="${cx(i)}" y2="${y2}"/>`);
    if (endRow !== null) out.push(`<line class="lifeline-end" x1="${cx(i) - 10}" y1="${y2 + 17}" x2="${cx(i) + 10}" y2="${y2 + 17}"><title>${esc(l.name)} finished</title></line>`);
    out.push('</g>');
  });
  // row bands (clickable), step numbers, changes
  for (const s of a.steps) {
    const y = HEAD_H + (s.n - 1) * ROW_H;
    out.push(`<g class="row" data-step="${s.n}">`);
    out.push(`<rect class="band" x="0" y="${y}" width="${width}" height="${ROW_H}"/>`);
    out.push(`<text class="num" x="${GUTTER - 10}" y="${y + ROW_H / 2 + 4}" text-anchor="end">${s.n}</text>`);
    out.push(`<text class="changes" x="${GUTTER + lanesW + 14}" y="${y + ROW_H / 2 + 4}">${esc(clip(s.changes || '—', 58))}<title>${esc(s.changes || 'nothing changed')}</title></text>`);
    out.push('</g>');
  }
  // blocked intervals, on the lifeline
  for (const b of a.blocked) {
    const y1 = b.from === 0 ? HEAD_H : cy(b.from) + 8;
    const y2 = b.to === null ? height - 16 : cy(b.to) - 8;
    if (y2 <= y1) continue;
    out.push(`<rect class="blocked" x="${cx(b.actor) - 7}" y="${y1}" width="14" height="${y2 - y1}" rx="4"><title>${esc(a.lanes[b.actor]!.name)} blocked in ${esc(b.wait)} (sched INTERRUPTIBLE), after step ${b.from}${b.to === null ? ', to the end' : ` until step ${b.to}`}</title></rect>`);
  }
  // arrows
  for (const s of a.steps) {
    s.arrows.forEach((arrow, k) => {
      if (arrow.from === arrow.to) return;
      const dir = arrow.to > arrow.from ? 1 : -1;
      const y = cy(s.n) + (k - (s.arrows.length - 1) / 2) * 6;
      const x1 = cx(arrow.from) + dir * (BOX_W / 2);
      const x2 = cx(arrow.to) - dir * 9;
      out.push(
        `<line class="arrow ${arrow.kind}" data-step="${s.n}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#head-${arrow.kind})"><title>${esc(arrow.label)}</title></line>`,
      );
      // a short caption over the arrow when there is room for it
      const room = Math.abs(x2 - x1);
      const caption = arrow.kind === 'token' ? arrow.label.replace('activate ', 'wake ') : arrow.kind === 'failed' ? 'ESRCH' : 'wake';
      if (room >= caption.length * 6 + 8 && k === 0) {
        out.push(`<text class="arrow-label ${arrow.kind}" x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle">${esc(caption)}</text>`);
      }
    });
  }
  // step boxes
  const last = a.steps.length;
  for (const s of a.steps) {
    const text = `${s.label}${s.detail ? ` ${s.detail}` : ''}`;
    const bad = trace.violation && s.n === last ? ' violation' : '';
    const cyc = trace.cycleStart !== undefined && s.n === trace.cycleStart + 1 ? ' cycle' : '';
    out.push(`<g class="step ${laneClass(a.lanes[s.actor]!)}${bad}${cyc}" data-step="${s.n}" tabindex="0">`);
    out.push(`<rect x="${cx(s.actor) - BOX_W / 2}" y="${cy(s.n) - 11}" width="${BOX_W}" height="22" rx="6"/>`);
    out.push(`<text x="${cx(s.actor)}" y="${cy(s.n) + 4}" text-anchor="middle">${esc(clip(text, 21))}</text>`);
    out.push(`<title>${esc(`${s.n}. ${a.lanes[s.actor]!.name}: ${text}${s.fn ? ` — ${s.fn}` : ''}`)}</title>`);
    out.push('</g>');
  }
  if (trace.cycleStart !== undefined) {
    out.push(`<text class="cycle-mark" x="6" y="${cy(trace.cycleStart + 1) + 4}">↻</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

const CSS = `
:root{--bg:#f7f7f9;--fg:#1d2330;--muted:#667085;--line:#d0d5dd;--band:#eef2ff;--sel:#c7d2fe;
--coordinator:#4f46e5;--live:#0f766e;--zombie:#7c3aed;--thread:#0369a1;--ghost:#64748b;--extra:#c2410c;--environment:#b91c1c;
--token:#ea580c;--wake:#94a3b8;--bad:#dc2626;--blocked:#94a3b8;--blocked-bg:#f1f5f9}
*{box-sizing:border-box}
html,body{height:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);display:flex;flex-direction:column;overflow:hidden}
header{flex:none;padding:14px 24px 12px;background:#fff;border-bottom:1px solid var(--line)}
h1{font-size:18px;margin:0 0 4px}
.meta{color:var(--muted);font-size:13px}
.verdict{margin-top:10px;padding:8px 12px;border-radius:8px;background:#fef2f2;border:1px solid #fecaca;color:#991b1b}
.verdict b{font-weight:650}
.verdict.ok{background:#f0fdf4;border-color:#bbf7d0;color:#166534}
.token{margin-top:8px;display:flex;gap:8px;align-items:center;font-size:12px;color:var(--muted)}
.token code{background:#f2f4f7;padding:3px 6px;border-radius:6px;max-width:60vw;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;display:inline-block}
button{font:inherit;font-size:12px;border:1px solid var(--line);background:#fff;border-radius:6px;padding:2px 8px;cursor:pointer}
.legend{display:flex;gap:18px;flex-wrap:wrap;margin-top:10px;font-size:12px;color:var(--muted);align-items:center}
.legend i{display:inline-block;width:22px;height:0;border-top:2px solid;vertical-align:middle;margin-right:6px}
.legend .lt{border-color:var(--token)}.legend .lf{border-color:var(--bad);border-top-style:dashed}.legend .lw{border-color:var(--wake);border-top-style:dashed}
.legend .lb{width:10px;height:14px;border:0;background:repeating-linear-gradient(45deg,var(--blocked) 0 2px,var(--blocked-bg) 2px 5px);border-radius:3px}
main{flex:1;display:flex;min-height:0}
#scroll{flex:1;overflow:auto;padding-bottom:24px}
#scroll svg{display:block}
.heads{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);width:max-content;min-width:100%}
aside{width:400px;flex:none;overflow:auto;background:#fff;border-left:1px solid var(--line);padding:16px 18px}
aside h2{font-size:15px;margin:0 0 2px}
aside .who{color:var(--muted);font-size:13px;margin-bottom:8px}
aside .cite{font-size:12px;color:var(--muted);background:#f8fafc;border:1px solid #eef2f6;border-radius:6px;padding:6px 8px;margin:8px 0}
aside table{border-collapse:collapse;width:100%;font-size:12.5px}
aside td{padding:3px 4px;border-bottom:1px solid #f0f2f5;vertical-align:top}
aside td.p{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;color:#344054}
aside td.b{color:#b42318}aside td.a{color:#067647}
aside .arrows{margin:8px 0;font-size:12.5px}
aside pre{font-size:11.5px;background:#f8fafc;border-radius:6px;padding:8px;overflow:auto;max-height:40vh}
aside .hint{color:var(--muted);font-size:13px}
svg text{font-size:12px;fill:var(--fg)}
.lane-bg{fill:transparent}
.lane:nth-child(odd) .lane-bg{fill:rgba(15,23,42,.025)}
.lane-head{fill:#fff;stroke:currentColor;stroke-width:1.5}
.lane-name{font-weight:650;fill:currentColor!important}
.lifeline{stroke:currentColor;stroke-opacity:.35;stroke-width:2}
.lifeline-end{stroke:currentColor;stroke-width:2.5}
.col-head{fill:var(--muted)!important;font-weight:600}
.num{fill:var(--muted)!important;font-variant-numeric:tabular-nums}
.changes{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:11.5px!important;fill:#475467!important}
.band{fill:transparent;cursor:pointer}
.row:hover .band{fill:var(--band)}
.row.selected .band{fill:var(--sel)}
.blocked{fill:url(#hatch);stroke:var(--blocked);stroke-width:1}
.arrow{stroke-width:2}
.arrow.token{stroke:var(--token);stroke-width:2.5}
.arrow.failed{stroke:var(--bad);stroke-dasharray:5 3;stroke-width:2.5}
.arrow.wake{stroke:var(--wake);stroke-dasharray:4 3}
.arrow-label{font-size:10px!important;font-weight:600}
.arrow-label.token{fill:var(--token)!important}.arrow-label.failed{fill:var(--bad)!important}.arrow-label.wake{fill:var(--muted)!important}
.step{cursor:pointer}
.step rect{fill:#fff;stroke:currentColor;stroke-width:1.5}
.step text{fill:currentColor!important;font-weight:560}
.step:hover rect{fill:#f8fafc}
.step.selected rect{fill:currentColor}
.step.selected text{fill:#fff!important}
.step.violation rect{stroke:var(--bad);stroke-width:2.5}
.step.cycle rect{stroke-dasharray:4 2}
.cycle-mark{fill:var(--token)!important;font-size:16px!important;font-weight:700}
.coordinator{color:var(--coordinator)}.live{color:var(--live)}.zombie{color:var(--zombie)}.thread{color:var(--thread)}
.ghost{color:var(--ghost)}.extra{color:var(--extra)}.environment{color:var(--environment)}
`;

const JS = `
(function(){
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var panel = document.getElementById('panel');
  var current = 0;
  function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function select(n, quiet){
    if (n < 1 || n > data.steps.length) return;
    current = n;
    document.querySelectorAll('.selected').forEach(function(e){ e.classList.remove('selected'); });
    document.querySelectorAll('[data-step="' + n + '"]').forEach(function(e){ if (e.classList.contains('row') || e.classList.contains('step')) e.classList.add('selected'); });
    var s = data.steps[n - 1];
    panel.replaceChildren();
    panel.appendChild(el('h2', '', 'Step ' + n + ' of ' + data.steps.length + ': ' + s.label + (s.detail ? ' ' + s.detail : '')));
    panel.appendChild(el('div', 'who', data.lanes[s.actor] + (s.fn ? ' · ' + s.fn : '')));
    if (s.cite) panel.appendChild(el('div', 'cite', s.cite));
    if (s.arrows.length) {
      var ar = el('div', 'arrows');
      s.arrows.forEach(function(a){ ar.appendChild(el('div', '', (a.kind === 'failed' ? '✗ ' : '→ ') + a.label + ' (' + data.lanes[a.to] + ')')); });
      panel.appendChild(ar);
    }
    if (s.changed.length) {
      var t = el('table');
      s.changed.forEach(function(c){ var tr = el('tr'); tr.appendChild(el('td', 'p', c.path)); tr.appendChild(el('td', 'b', c.before)); tr.appendChild(el('td', '', '→')); tr.appendChild(el('td', 'a', c.after)); t.appendChild(tr); });
      panel.appendChild(t);
    } else panel.appendChild(el('div', 'hint', 'This step changed nothing but its program counter.'));
    if (data.violation && n === data.steps.length) panel.appendChild(el('div', 'verdict', '✗ ' + data.violation.property + ' violated: ' + data.violation.message));
    var det = el('details'); det.appendChild(el('summary', '', 'the whole state after this step'));
    det.appendChild(el('pre', '', JSON.stringify(s.state, null, 1)));
    panel.appendChild(det);
    var box = document.querySelector('.step[data-step="' + n + '"]');
    if (!quiet && box && box.scrollIntoView) box.scrollIntoView({ block: 'nearest' });
  }
  document.getElementById('lanes').addEventListener('click', function(ev){
    var g = ev.target.closest('[data-step]');
    if (g) select(Number(g.getAttribute('data-step')));
  });
  document.addEventListener('keydown', function(ev){
    if (ev.key === 'ArrowDown' || ev.key === 'j') { select(current + 1); ev.preventDefault(); }
    if (ev.key === 'ArrowUp' || ev.key === 'k') { select(current - 1); ev.preventDefault(); }
  });
  var copy = document.getElementById('copy');
  if (copy) copy.addEventListener('click', function(){
    var text = document.getElementById('token').textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(function(){ copy.textContent = 'copied'; }, function(){ copy.textContent = 'select and copy'; });
  });
  select(data.steps.length, true);
})();
`;

/**
 * @example
 * writeFileSync('cex.html', toHtml(trace)); // open it in any browser, offline
 */
export function toHtml(trace: Trace): string {
  const a = annotate(trace);
  const v = trace.violation;
  const data = {
    lanes: a.lanes.map((l) => l.name),
    violation: v ?? null,
    steps: a.steps.map((s, k) => ({ ...s, state: trace.steps[k]!.state })),
  };
  // inside <script>, `<` is written as \u003c so no `</script>` can end it early
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = v ? `${v.property} violated · ${trace.model.name}` : `trace · ${trace.model.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>crsim: ${esc(trace.model.name)} on ${esc(trace.model.env.scenario.name)}</h1>
<div class="meta">${a.lanes.length} actors · ${a.steps.length} steps${trace.crsimVersion ? ` · crsim ${esc(trace.crsimVersion)}` : ''} · click a step (or use ↑ ↓) to see what it changed</div>
${v ? `<div class="verdict"><b>✗ ${esc(v.property)} violated</b> after ${a.steps.length} steps: ${esc(v.message)}${v.title ? `<br><span class="meta">${esc(v.property)}: ${esc(v.title)}</span>` : ''}</div>` : '<div class="verdict ok">no violation on this trace</div>'}
${trace.token ? `<div class="token">replay: <code id="token">${esc(trace.token)}</code><button id="copy" type="button">copy</button></div>` : ''}
<div class="legend"><span><i class="lt"></i>token hand-off (activation wakes the next task)</span><span><i class="lf"></i>activation lookup fails</span><span><i class="lw"></i>other wake-up</span><span><i class="lb"></i> blocked (INTERRUPTIBLE)</span>${trace.cycleStart !== undefined ? '<span>↻ the run repeats from here for ever</span>' : ''}</div>
</header>
<main>
<div id="scroll">
<div class="heads">${headSvg(a)}</div>
${svg(a, trace)}
</div>
<aside id="panel"><div class="hint">Click a step.</div></aside>
</main>
<script type="application/json" id="trace-data">${json}</script>
<script>${JS}</script>
</body>
</html>
`;
}
