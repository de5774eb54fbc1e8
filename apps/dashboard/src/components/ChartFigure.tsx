import { useEffect, useId, useRef } from 'react';
import { Chart, type ChartConfiguration, registerables } from 'chart.js';

Chart.register(...registerables);

export interface Series {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly colour: string;
  /** Drawn as a line over bars (targets, cumulative values). */
  readonly line?: boolean;
  readonly dashed?: boolean;
}

/**
 * A Chart.js chart with its data as a table beside it: the table is what screen readers and
 * keyboard users read (the canvas is one labelled image), and what the browser tests check.
 * `format` writes a cell (e.g. exact HUF); the chart gets the numbers.
 */
export function ChartFigure(props: {
  readonly title: string;
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  readonly kind?: 'bar' | 'line';
  readonly stacked?: boolean;
  readonly horizontal?: boolean;
  readonly yTitle?: string;
  readonly cells?: (seriesIndex: number, index: number) => string;
  readonly testId?: string;
  /** Canvas height in px (default 260); horizontal bar charts grow with their rows. */
  readonly height?: number;
  /** Header of the label column of the data table. */
  readonly category?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const tableId = useId();
  const { title, labels, series, kind = 'bar', stacked = false, horizontal = false, yTitle } = props;

  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration = {
      type: kind,
      data: {
        labels: [...labels],
        datasets: series.map((s) => ({
          type: s.line ? 'line' : kind,
          label: s.label,
          data: [...s.values],
          backgroundColor: s.colour,
          borderColor: s.colour,
          borderDash: s.dashed ? [6, 4] : undefined,
          borderWidth: s.line ? 2 : 0,
          pointRadius: s.line ? 3 : undefined,
          maxBarThickness: 56,
          order: s.line ? 0 : 1,
        })),
      } as ChartConfiguration['data'],
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'bottom', labels: { usePointStyle: true } }, title: { display: false } },
        scales: {
          x: { stacked },
          y: { stacked, beginAtZero: true, title: { display: Boolean(yTitle), text: yTitle ?? '' } },
        },
      },
    };
    chart.current = new Chart(canvas.current, config);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [title, kind, stacked, horizontal, yTitle, JSON.stringify(labels), JSON.stringify(series)]);

  const cell = props.cells ?? ((s: number, i: number) => (series[s].values[i] === null ? '—' : String(series[s].values[i])));
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>{title}</figcaption>
      <div className="chart-canvas" style={props.height ? { height: props.height } : undefined}>
        <canvas ref={canvas} role="img" aria-label={`${title} (chart; the data table follows)`} aria-describedby={tableId} />
      </div>
      <details className="chart-data">
        <summary>Data table</summary>
        <table id={tableId} className="data">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{props.category ?? 'Period'}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s, si) => (
                  <td key={s.label}>{cell(si, i)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
