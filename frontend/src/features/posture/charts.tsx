/** The posture charts (Recharts, SVG). Each takes rows of a metric table and draws one view. */
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { PRIORITIES } from "../../lib/severity";
import { humanizeColumn, isShare, pivot, type Row } from "./table";

const HEIGHT = 260;

/** Colours with >= 3:1 contrast on white (WCAG non-text contrast); priorities keep their tones. */
export const PRIORITY_COLORS: Record<string, string> = {
  P1: "#b42318",
  P2: "#c2570c",
  P3: "#8a6a00",
  P4: "#1d4f91",
  none: "#5b6470",
};
/** Columns whose meaning has a colour: good green, bad red. */
const COLUMN_COLORS: Record<string, string> = {
  passing: "#2e7d32",
  failing: "#b42318",
  created: "#1f5fbf",
  resolved: "#2e7d32",
  evaluations: "#1f5fbf",
  failed: "#b42318",
  failing_findings: "#c2570c",
  drift_findings: "#6a3fb5",
  cloud_regressions: "#c2570c",
};
const PALETTE = ["#1f5fbf", "#b42318", "#2e7d32", "#8a6a00", "#6a3fb5", "#c2570c", "#00796b"];

export function seriesColor(name: string, i: number): string {
  return PRIORITY_COLORS[name] ?? COLUMN_COLORS[name] ?? PALETTE[i % PALETTE.length] ?? "#1f5fbf";
}

const pct = (v: unknown) => (typeof v === "number" ? `${Math.round(v * 100)}%` : String(v));
const num = (v: unknown) =>
  typeof v === "number"
    ? new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 }).format(v)
    : String(v);

/** A level over time, stacked by a series column (open risk by priority). */
export function StackedAreaChart({
  rows,
  index,
  seriesCol,
  valueCol,
  order = PRIORITIES,
}: {
  rows: readonly Row[];
  index: string;
  seriesCol: string;
  valueCol: string;
  order?: readonly string[];
}) {
  const { data, series } = pivot(rows, index, seriesCol, valueCol, order);
  // one snapshot day draws no area: show the points so a single day is visible
  const dots = data.length < 3;
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <AreaChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e1e5eb" />
        <XAxis dataKey={index} tick={{ fontSize: 12 }} />
        <YAxis tick={{ fontSize: 12 }} tickFormatter={num} />
        <Tooltip formatter={num} />
        <Legend />
        {series.map((s, i) => (
          <Area
            key={s}
            type="monotone"
            dataKey={s}
            name={s}
            stackId="1"
            stroke={seriesColor(s, i)}
            fill={seriesColor(s, i)}
            fillOpacity={0.35}
            dot={dots ? { r: 4 } : false}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </ResponsiveContainer>
  );
}

/** Bars of one or more columns per category (`stacked` piles them). */
export function CategoryBarChart({
  data,
  category,
  values,
  stacked = false,
  names,
}: {
  data: readonly Row[];
  category: string;
  values: readonly string[];
  stacked?: boolean;
  names?: Record<string, string>;
}) {
  const share = values.every(isShare);
  // findings of no team (and other empty groups) get a label rather than a nameless bar
  const labelled = data.map((row) =>
    row[category] === "" || row[category] == null
      ? { ...row, [category]: category === "team" ? "no team" : "none" }
      : row,
  );
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={labelled} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e1e5eb" />
        <XAxis dataKey={category} tick={{ fontSize: 12 }} interval={0} />
        <YAxis
          tick={{ fontSize: 12 }}
          tickFormatter={share ? pct : num}
          domain={share ? [0, 1] : [0, "auto"]}
        />
        <Tooltip formatter={share ? pct : num} />
        <Legend />
        {values.map((v, i) => (
          <Bar
            key={v}
            dataKey={v}
            name={names?.[v] ?? humanizeColumn(v)}
            stackId={stacked ? "1" : undefined}
            fill={seriesColor(v, i)}
            minPointSize={values.length === 1 ? 2 : 0}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Counts as bars on the left axis and a ratio as a line on the right (flows over time). */
export function BarsAndLineChart({
  data,
  category,
  bars,
  line,
}: {
  data: readonly Row[];
  category: string;
  bars: readonly string[];
  line?: string;
}) {
  const lineShare = line ? isShare(line) : false;
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <ComposedChart data={[...data]} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e1e5eb" />
        <XAxis dataKey={category} tick={{ fontSize: 12 }} />
        <YAxis yAxisId="left" tick={{ fontSize: 12 }} tickFormatter={num} allowDecimals={false} />
        {line ? (
          <YAxis
            yAxisId="right"
            orientation="right"
            tick={{ fontSize: 12 }}
            tickFormatter={lineShare ? pct : num}
          />
        ) : null}
        <Tooltip formatter={num} />
        <Legend />
        {bars.map((b, i) => (
          <Bar
            key={b}
            yAxisId="left"
            dataKey={b}
            name={humanizeColumn(b)}
            fill={seriesColor(b, i)}
            minPointSize={2}
            isAnimationActive={false}
          />
        ))}
        {line ? (
          // straight segments between the periods that have a value, and a gap where none
          // has: a curve across a month without data would invent a trend
          <Line
            yAxisId="right"
            type="linear"
            dataKey={line}
            name={humanizeColumn(line)}
            stroke="#1b1f24"
            strokeWidth={2}
            dot={{ r: 3 }}
            isAnimationActive={false}
          />
        ) : null}
      </ComposedChart>
    </ResponsiveContainer>
  );
}
