import uPlot from 'uplot';
import type { NumericPreview } from '../../src/protocol/index.js';
import { el, formatNumber } from './dom.js';

const PLOT_HEIGHT = 170;

/** Colours of the plots, from the VS Code theme (the page's CSS variables), read when a plot is made. */
function themeColors(): { line: string; band: string; axis: string; grid: string } {
  const style = getComputedStyle(document.body);
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const line = read('--vscode-charts-blue', '#3794ff');
  return {
    line,
    band: withAlpha(line, 0.3),
    axis: read('--vscode-editor-foreground', '#cccccc'),
    grid: withAlpha(read('--vscode-editor-foreground', '#cccccc'), 0.12),
  };
}

/** `#rrggbb` (or `#rgb`) with an alpha; any other colour as it is. */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** The plots of a numeric preview: its statistics, the line (min/max band per bucket) and the histogram, drawn by uPlot. */
/** The plots' height for a width (they keep a shape that reads well in a narrow panel). */
export function plotHeight(width: number): number {
  return Math.round(Math.min(PLOT_HEIGHT, Math.max(120, width * 0.45)));
}

export function renderNumeric(preview: NumericPreview, width: number): { root: HTMLElement; plots: uPlot[] } {
  const root = el('div', 'preview-numeric');
  const stats = el('dl', 'preview-stats');
  const facts: [string, string][] = [
    ['count', formatNumber(preview.count)],
    ['min', preview.min === undefined ? '–' : formatNumber(preview.min)],
    ['max', preview.max === undefined ? '–' : formatNumber(preview.max)],
    ['mean', preview.mean === undefined ? '–' : formatNumber(preview.mean)],
  ];
  if (preview.nan > 0) facts.push(['NaN', formatNumber(preview.nan)]);
  if (preview.infinite > 0) facts.push(['±Infinity', formatNumber(preview.infinite)]);
  for (const [term, value] of facts) {
    const pair = el('div');
    pair.append(el('dt', undefined, term), el('dd', undefined, value));
    stats.append(pair);
  }
  root.append(stats);
  const colors = themeColors();
  const axes = (): uPlot.Axis[] => [
    { stroke: colors.axis, grid: { stroke: colors.grid }, ticks: { stroke: colors.grid } },
    { stroke: colors.axis, grid: { stroke: colors.grid }, ticks: { stroke: colors.grid }, size: 60 },
  ];
  const plots: uPlot[] = [];
  const line = el('figure', 'preview-plot preview-line');
  const lineCaption = el(
    'figcaption',
    undefined,
    preview.line.step === 1 ? 'Values by index' : `Min and max of each ${formatNumber(preview.line.step)} values, by index`,
  );
  line.append(lineCaption);
  root.append(line);
  const { step, min, max } = preview.line;
  const xs = min.map((_, i) => i * step);
  plots.push(
    new uPlot(
      step === 1
        ? {
            width,
            height: plotHeight(width),
            scales: { x: { time: false } },
            axes: axes(),
            series: [{ label: 'index' }, { label: 'value', stroke: colors.line, width: 1 }],
          }
        : {
            width,
            height: plotHeight(width),
            scales: { x: { time: false } },
            axes: axes(),
            series: [{ label: 'index' }, { label: 'max', stroke: colors.line, width: 1 }, { label: 'min', stroke: colors.line, width: 1 }],
            bands: [{ series: [1, 2], fill: colors.band }],
          },
      step === 1 ? [xs, max] : [xs, max, min],
      line,
    ),
  );
  const histogram = preview.histogram;
  if (histogram) {
    const figure = el('figure', 'preview-plot preview-histogram');
    figure.append(el('figcaption', undefined, `Histogram (${histogram.counts.length} bin${histogram.counts.length === 1 ? '' : 's'})`));
    root.append(figure);
    const bins = histogram.counts.length;
    const binWidth = bins === 1 ? 1 : (histogram.max - histogram.min) / bins;
    const centers = histogram.counts.map((_, i) => (bins === 1 ? histogram.min : histogram.min + (i + 0.5) * binWidth));
    plots.push(
      new uPlot(
        {
          width,
          height: plotHeight(width),
          scales: { x: { time: false, range: bins === 1 ? [histogram.min - 1, histogram.min + 1] : [histogram.min, histogram.max] } },
          axes: axes(),
          series: [
            { label: 'bin' },
            {
              label: 'count',
              stroke: colors.line,
              fill: colors.band,
              width: 1,
              paths: uPlot.paths.bars!({ size: [1, Number.POSITIVE_INFINITY], gap: 1 }),
              points: { show: false },
            },
          ],
        },
        [centers, histogram.counts],
        figure,
      ),
    );
  }
  return { root, plots };
}
