/**
 * Charts drawn on the server as SVG: horizontal bars, one per row, each with its label above and its number beside
 * it. They need no script, stay sharp when printed, and fit a 360 px phone (the SVG scales to the page's width).
 * A hidden (suppressed) value draws no bar and prints its mark ("<5") instead of a number.
 */
import type { ShownValue } from "../../programme/table.ts";
import { type Html, html } from "./html.ts";

export interface Bar {
  label: string;
  value: ShownValue;
}

const WIDTH = 320;
const ROW = 30;
const LABEL_ROOM = 14;
const NUMBER_ROOM = 56;

/**
 * A bar chart; `show` renders a value as text (the page's digits, the suppression mark). `target`, when given,
 * draws a line where the target is, so a single progress bar reads as "how far along".
 */
export function barChart(
  title: string,
  bars: readonly Bar[],
  show: (value: ShownValue) => string,
  target?: number,
): Html {
  const largest = Math.max(1, target ?? 0, ...bars.map((b) => (b.value.kind === "count" ? b.value.value : 0)));
  const scale = (value: number) => Math.round(((WIDTH - NUMBER_ROOM) * value) / largest);
  const height = bars.length * ROW + 4;
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${height}"
    width="100%"
    role="img"
    aria-label="${title}"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${bars.map((bar, i) => {
      const y = i * ROW;
      const length = bar.value.kind === "count" ? scale(bar.value.value) : 0;
      return html`<text x="0" y="${y + 11}" font-size="11" fill="#333">${bar.label}</text>
        <rect x="0" y="${y + LABEL_ROOM}" width="${Math.max(length, 1)}" height="14" fill="#0b5394"></rect>
        <text x="${length + 4}" y="${y + LABEL_ROOM + 11}" font-size="11" fill="#1b1b1b">${show(bar.value)}</text>`;
    })}
    ${
      target === undefined
        ? ""
        : html`<line
            x1="${scale(target)}"
            x2="${scale(target)}"
            y1="0"
            y2="${height}"
            stroke="#a40000"
            stroke-dasharray="3 2"
          ></line>`
    }
  </svg>`;
}
