/**
 * The HTML parts of a plot page: the dataset table, the certificate summary and the probe summary. Built with DOM calls
 * and textContent only (never innerHTML), so nothing in the data can inject markup.
 */
import { formatSignature, formatTarget } from '../../server/src/io/plots';
import type { DatasetPage, LandscapeResult } from '../../server/src/protocol';
import type { ProbeResult } from '../../server/src/probe/types';

/** Rows shown in the table; the picture uses every row the extension sent. */
const TABLE_ROWS = 200;
/** Input columns shown; wider inputs are summarised by the picture's per-dimension views. */
const INPUT_COLUMNS = 4;

const format = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(3) : value.toFixed(4);
};

/** Three significant digits, for the summary line. */
const short = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export function datasetTable(page: DatasetPage): HTMLElement {
  const rows = Math.min(TABLE_ROWS, page.inputs.length / Math.max(page.dx, 1));
  const shownInputs = Math.min(page.dx, INPUT_COLUMNS);
  const wrapper = element('section');
  const caption = page.labels
    ? `Points ${page.offset + 1}–${page.offset + rows} of ${page.m}: inputs, base labels y₀ and planted labels y.`
    : `Points ${page.offset + 1}–${page.offset + rows} of ${page.m}: inputs and base labels y₀ (solve for the planted labels).`;
  wrapper.append(element('h2', caption));

  const table = element('table');
  const head = element('tr');
  head.append(element('th', '#'));
  for (let j = 0; j < shownInputs; j++) head.append(element('th', page.dx === 1 ? 'x' : `x${j + 1}`));
  if (page.dx > shownInputs) head.append(element('th', `… ${page.dx - shownInputs} more`));
  for (let k = 0; k < page.dy; k++) {
    const suffix = page.dy === 1 ? '' : `[${k + 1}]`;
    head.append(element('th', `y₀${suffix}`));
    if (page.labels) {
      head.append(element('th', `y${suffix}`));
      head.append(element('th', `Δ${suffix}`));
    }
  }
  table.appendChild(element('thead')).append(head);
  const body = table.appendChild(element('tbody'));
  for (let i = 0; i < rows; i++) {
    const tr = element('tr');
    tr.append(element('td', String(page.offset + i + 1), 'index'));
    for (let j = 0; j < shownInputs; j++) tr.append(element('td', format(page.inputs[i * page.dx + j])));
    if (page.dx > shownInputs) tr.append(element('td', '…'));
    for (let k = 0; k < page.dy; k++) {
      const base = page.baseLabels[i * page.dy + k];
      tr.append(element('td', format(base)));
      if (page.labels) {
        const planted = page.labels[i * page.dy + k];
        tr.append(element('td', format(planted)));
        tr.append(element('td', format(planted - base), 'delta'));
      }
    }
    body.append(tr);
  }
  wrapper.append(table);
  return wrapper;
}

/** One line per planted point: what was asked, what was certified. */
export function certificateSummary(result: LandscapeResult): HTMLElement {
  const wrapper = element('section', undefined, 'summary');
  const s = result.solvability;
  // A point counts only when it is critical and its Hessian target was reached: say which failed.
  const verified = (c: LandscapeResult['certificates'][number]): boolean => c.critical && c.achieved;
  const allVerified = result.certificates.every(verified);
  wrapper.append(
    element(
      'p',
      `${allVerified ? '✓ every planted point critical, every target certified' : '✗ not every planted point is certified'} · rank ${s.rank}/${s.equationCount}` +
        ` · cond ${short(s.conditionNumber)}` +
        (s.relativeLabelChange !== undefined ? ` · ‖Δy‖/‖y₀‖ ${short(s.relativeLabelChange)}` : '') +
        ` · ${result.backend} · ${Math.round(result.elapsedMs)} ms`,
      'verdict',
    ),
  );
  const list = element('ul');
  for (const c of result.certificates) {
    const item = element('li', undefined, verified(c) ? 'achieved' : 'missed');
    item.textContent =
      `${verified(c) ? '✓' : '✗'} ${c.name}: ${c.critical ? 'critical' : 'NOT critical'}, wanted ${formatTarget(c.target)}, Hessian ${formatSignature(c.signature)}` +
      `, ‖∇L‖ ${short(c.gradientNorm)} (relative ${short(c.relativeGradientNorm)}), loss ${short(c.loss)}` +
      (c.reason ? ` — ${c.reason}` : '');
    list.append(item);
  }
  wrapper.append(list);
  for (const warning of s.warnings) wrapper.append(element('p', `⚠ ${warning}`, 'warning'));
  return wrapper;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/**
 * The probe's summary table, as `crit probe` prints it: per optimizer (with batch size) × start group,
 * how many runs left the centre, the median escape step of those, final basins, convergence, time.
 */
export function probeSummary(result: ProbeResult): HTMLElement {
  const wrapper = element('section', undefined, 'summary probe-summary');
  const { spec } = result;
  wrapper.append(
    element('h2', `Probe ${result.probe}`),
    element(
      'p',
      `${result.backend} · ${spec.steps} steps · seed ${spec.seed} · escape: distance > ${spec.escape.distance} or loss < (1 − ${spec.escape.loss}) × centre loss` +
        ` · ${result.runs.length} runs on ${result.workers} thread${result.workers === 1 ? '' : 's'} in ${seconds(result.wallTimeMs)}`,
      'verdict',
    ),
  );
  const table = element('table');
  const head = element('tr');
  for (const title of ['optimizer', 'starts', 'left', 'escape rate', 'median escape step', 'final basins', 'converged', 'time']) head.append(element('th', title));
  table.appendChild(element('thead')).append(head);
  const body = table.appendChild(element('tbody'));
  for (const row of result.summary) {
    const tr = element('tr');
    const basins = Object.entries(row.basins).filter(([, n]) => n > 0).map(([name, n]) => `${name}: ${n}`).join(', ');
    tr.append(
      element('td', result.optimizerLabels[row.optimizer] ?? String(row.optimizer)),
      element('td', result.groupLabels[row.group] ?? String(row.group)),
      element('td', `${row.escaped}/${row.runs}`),
      element('td', `${Math.round(row.escapeRate * 100)}%`),
      element('td', row.medianEscapeStep === null ? '— (none left)' : String(row.medianEscapeStep)),
      element('td', basins),
      element('td', `${row.converged}/${row.runs}`),
      element('td', seconds(row.wallTimeMs)),
    );
    body.append(tr);
  }
  wrapper.append(table);
  return wrapper;
}
