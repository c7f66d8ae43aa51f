import { useQueries } from "@tanstack/react-query";
import { metricQuery } from "../../api/metrics";
import { EmptyState, ErrorMessage, Loading } from "../../components/ui";
import { PRIORITIES } from "../../lib/severity";
import { CategoryBarChart } from "./charts";
import { type Availability, ChartCard, CsvButton, NotAvailable } from "./MetricCard";
import type { PostureScope } from "./search";
import { latestRows, type Row } from "./table";

/**
 * Open findings by priority per team (or environment): the posture metric grouped by the
 * dimension, once per priority, drawn as stacked bars. The CSV is that combined table.
 */
export function PriorityBreakdownCard({
  dimension,
  period,
  scope = {},
  availability,
}: {
  dimension: "team" | "environment";
  period: string;
  scope?: PostureScope;
  availability: Availability;
}) {
  const title = `Open findings by priority per ${dimension}`;
  const testId = `chart-open-by-${dimension}`;
  const results = useQueries({
    queries: PRIORITIES.map((priority) => ({
      ...metricQuery("posture", { ...scope, period, group_by: dimension, priority }),
      enabled: availability === "available",
    })),
  });
  if (availability === "missing") {
    return (
      <ChartCard title={title} testId={testId}>
        <NotAvailable name="posture" />
      </ChartCard>
    );
  }
  const error = results.find((r) => r.error)?.error;
  const loading = availability === "loading" || results.some((r) => r.isPending);
  const byGroup = new Map<string, Row>();
  results.forEach((r, i) => {
    const priority = PRIORITIES[i] ?? "";
    for (const row of latestRows((r.data?.rows ?? []) as Row[])) {
      const group = String(row[dimension] ?? "(none)");
      const out = byGroup.get(group) ?? {
        [dimension]: group,
        ...Object.fromEntries(PRIORITIES.map((p) => [p, 0])),
      };
      out[priority] = typeof row.open_count === "number" ? row.open_count : 0;
      byGroup.set(group, out);
    }
  });
  const data = [...byGroup.values()].sort((a, b) =>
    String(a[dimension]).localeCompare(String(b[dimension])),
  );
  const columns = [dimension, ...PRIORITIES];
  const notes = [...new Set(results.flatMap((r) => r.data?.notes ?? []))];
  return (
    <ChartCard
      title={title}
      testId={testId}
      definition={results[0]?.data?.definition}
      notes={notes}
      table={{ columns, rows: data }}
      download={
        <CsvButton
          filename={`open-by-priority-per-${dimension}-${period}.csv`}
          columns={columns}
          rows={data}
          label={title}
        />
      }
    >
      {error ? <ErrorMessage error={error} title="Could not load posture" /> : null}
      {loading && !error ? <Loading /> : null}
      {!loading && !error && data.length === 0 ? (
        <EmptyState>No open finding in the latest snapshot of this period.</EmptyState>
      ) : null}
      {data.length > 0 ? (
        <CategoryBarChart data={data} category={dimension} values={PRIORITIES} stacked />
      ) : null}
    </ChartCard>
  );
}
