/**
 * Axes that fit their labels, for the console's uPlot charts (issue 14 point 12): counts formatted for an
 * axis ("10,000", "250k", "1.5M", integer ticks only), a y axis as wide as its widest label (uPlot's fixed
 * sizes cut "10,000" to ",0,000"), x labels spaced by their measured width (time labels never overlap), and
 * the labels drawn recorded on the chart's element (`data-axis-x` / `data-axis-y`: text and position in CSS
 * px from the plot's top left), so a test in the browser can measure what the canvas shows.
 */
import type uPlot from 'uplot';

/** Text width in CSS px for one font. */
export type Measure = (text: string) => number;

/** Tick length and the gaps around a label, CSS px (uPlot's axis `ticks.size` and `gap`). */
export const AXIS_TICK = 4;
export const AXIS_GAP = 5;
/** Room kept at the outer edge of a y axis so a label never touches the chart's border. */
const AXIS_EDGE = 4;

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count on an axis: "0", "950", "10,000", "99,500"; from 100,000 on "250k", "1.5M", "2B". */
export function formatAxisCount(n: number): string {
  const abs = Math.abs(n);
  if (abs < 100_000) return grouped.format(n);
  const [div, unit] = abs >= 1e9 ? [1e9, 'B'] : abs >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  const v = n / div;
  return `${Number(Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))}${unit}`;
}

/** Tick steps of a count axis: whole numbers only (1, 2, 5, 10, 20, 25, 50, …). */
export const COUNT_INCREMENTS: number[] = (() => {
  const out: number[] = [];
  for (let p = 1; p <= 1e12; p *= 10) out.push(p, 2 * p, 5 * p);
  out.splice(4, 0, 25);
  return out.sort((a, b) => a - b);
})();

/** The width a y axis needs for its labels: the widest one, its tick and gaps. */
export function yAxisSize(labels: readonly string[], measure: Measure): number {
  const widest = labels.reduce((w, l) => Math.max(w, ...l.split('\n').map(measure)), 0);
  return Math.ceil(widest + AXIS_TICK + AXIS_GAP + AXIS_EDGE);
}

/** The smallest distance between two x ticks so that labels like `samples` never touch (a 16 px gap). */
export function xLabelSpace(samples: readonly string[], measure: Measure, gap = 16): number {
  return Math.ceil(samples.reduce((w, s) => Math.max(w, ...s.split('\n').map(measure)), 0) + gap);
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Labels of a time axis (ticks in epoch seconds, local time): "14:05", and the date on a second line under the
 * first tick and the first of each day ("6 Dec"); ticks at midnight over several days show the date only.
 */
export function timeAxisLabels(ticks: readonly number[]): string[] {
  const dates = ticks.map((t) => new Date(t * 1000));
  const allMidnight = dates.length > 1 && dates.every((d) => d.getHours() === 0 && d.getMinutes() === 0);
  return dates.map((d, i) => {
    const day = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
    if (allMidnight) return day;
    const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    const prev = dates[i - 1];
    return i === 0 || !prev || prev.toDateString() !== d.toDateString() ? `${time}\n${day}` : time;
  });
}

/** The widest time labels, to space the ticks (two digits are widest as 0 or 8 in most fonts). */
export const TIME_LABEL_SAMPLES = ['00:00', '88:88', '30 May'];

/** A text measurer for a CSS font, on a canvas of its own (the chart's canvas is scaled to device pixels). */
export function canvasMeasure(font: string): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return (text) => text.length * 7;
  ctx.font = font;
  return (text) => ctx.measureText(text).width;
}

export interface AxisLabel {
  text: string;
  /** CSS px from the plot area's left (x) or top (y). */
  pos: number;
}

/**
 * Remembers what an axis's `values` answered (last call wins: uPlot sizes the axes in a few cycles) and, after
 * each draw, writes the labels with their final positions on the chart's root element.
 */
export function axisRecorder(): {
  values(axis: 'x' | 'y', format: (ticks: number[]) => string[]): (u: uPlot, ticks: number[]) => string[];
  draw(u: uPlot): void;
} {
  const last: Partial<Record<'x' | 'y', { ticks: number[]; labels: string[] }>> = {};
  return {
    values: (axis, format) => (_u, ticks) => {
      const labels = format(ticks);
      last[axis] = { ticks, labels };
      return labels;
    },
    draw(u) {
      for (const axis of ['x', 'y'] as const) {
        const drawn = last[axis];
        if (!drawn) continue;
        const labels: AxisLabel[] = drawn.ticks
          .map((t, i) => ({ text: drawn.labels[i] ?? '', pos: u.valToPos(t, axis) }))
          .filter((l) => l.text !== '' && Number.isFinite(l.pos));
        u.root.dataset[axis === 'x' ? 'axisX' : 'axisY'] = JSON.stringify(labels);
      }
    },
  };
}

/** Time ticks of a per-minute axis: whole minutes only (a 30 s tick would repeat its minute's label). */
export const MINUTE_INCREMENTS: number[] = [
  1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080,
].map((m) => m * 60);

type Recorder = ReturnType<typeof axisRecorder>;

/** A y axis of counts: whole-number ticks, "10,000" / "250k" labels, as wide as its widest label. */
export function countAxis(base: uPlot.Axis, measure: Measure, recorder: Recorder): uPlot.Axis {
  return {
    ...base,
    incrs: COUNT_INCREMENTS,
    gap: AXIS_GAP,
    ticks: { ...base.ticks, size: AXIS_TICK },
    size: (_u, values) => yAxisSize(values ?? [], measure),
    values: recorder.values('y', (ticks) => ticks.map(formatAxisCount)),
  };
}

/** An x axis of local time by the minute: "14:05", the date under the first tick of each day. */
export function minuteAxis(base: uPlot.Axis, measure: Measure, recorder: Recorder): uPlot.Axis {
  return {
    ...base,
    incrs: MINUTE_INCREMENTS,
    gap: AXIS_GAP,
    ticks: { ...base.ticks, size: AXIS_TICK },
    space: xLabelSpace(TIME_LABEL_SAMPLES, measure),
    values: recorder.values('x', timeAxisLabels),
  };
}
