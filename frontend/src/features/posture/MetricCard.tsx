import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { SchemaMetricName, SchemaMetricResult } from "../../api/generated/schema";
import { type MetricQuery, metricCsvUrl, metricQuery } from "../../api/metrics";
import { Button, EmptyState, ErrorMessage, Loading } from "../../components/ui";
import { formatDateTime } from "../../lib/format";
import { formatCell, humanizeColumn, type Row, toCsv } from "./table";

/** How the catalogue answered for a metric: still loading, present, or not offered. */
export type Availability = "loading" | "available" | "missing";

/** A chart card's frame: heading, CSV download, definition, chart, data table, notes. */
export function ChartCard({
  title,
  testId,
  download,
  definition,
  notes = [],
  table,
  asOf,
  children,
}: {
  title: string;
  testId: string;
  download?: ReactNode;
  definition?: string;
  notes?: readonly string[];
  /** how fresh the figures are (the metric result's as_of) */
  asOf?: string | null;
  table?: { columns: readonly string[]; rows: readonly Row[] };
  children: ReactNode;
}) {
  return (
    <section className="card chart-card" aria-label={title} data-testid={testId}>
      <div className="card-header">
        <h2>{title}</h2>
        {download ? <div className="card-actions">{download}</div> : null}
      </div>
      <div className="chart-body">{children}</div>
      {asOf ? (
        <p className="small muted as-of" data-testid="as-of">
          As of {formatDateTime(asOf)}
        </p>
      ) : null}
      {notes.length > 0 ? (
        <ul className="chart-notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {table && table.rows.length > 0 ? (
        <details className="chart-table">
          <summary>Table</summary>
          <DataTable columns={table.columns} rows={table.rows} caption={title} />
        </details>
      ) : null}
      {definition ? (
        <details className="chart-definition">
          <summary>Definition</summary>
          <p className="small">{definition}</p>
        </details>
      ) : null}
    </section>
  );
}

export function DataTable({
  columns,
  rows,
  caption,
}: {
  columns: readonly string[];
  rows: readonly Row[];
  caption: string;
}) {
  return (
    <table className="data-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {humanizeColumn(c)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          // rows of a metric table have no id; their order is stable for one result
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <tr key={i}>
            {columns.map((c) => (
              <td key={c} className={typeof row[c] === "number" ? "num" : undefined}>
                {formatCell(c, row[c])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CsvLink({ href, label }: { href: string; label: string }) {
  return (
    <a className="btn btn-sm btn-secondary" href={href} download>
      Download CSV <span className="sr-only">of {label}</span>
    </a>
  );
}

/** Download a table built in the browser (a chart that combines several metric queries). */
export function CsvButton({
  filename,
  columns,
  rows,
  label,
}: {
  filename: string;
  columns: readonly string[];
  rows: readonly Row[];
  label: string;
}) {
  function download() {
    const blob = new Blob([toCsv(columns, rows)], { type: "text/csv" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  }
  return (
    <Button size="sm" onClick={download} disabled={rows.length === 0}>
      Download CSV <span className="sr-only">of {label}</span>
    </Button>
  );
}

export function NotAvailable({ name }: { name: string }) {
  return (
    <EmptyState>
      Not available yet: this server does not compute the <code>{name}</code> metric, so there is
      nothing to show.
    </EmptyState>
  );
}

/** One metric query drawn by `render`; says plainly when the metric is missing or empty. */
export function MetricCard({
  title,
  testId,
  name,
  query,
  availability,
  render,
}: {
  title: string;
  testId: string;
  name: SchemaMetricName;
  query: MetricQuery;
  availability: Availability;
  render: (result: SchemaMetricResult) => ReactNode;
}) {
  const { data, error, isPending } = useQuery({
    ...metricQuery(name, query),
    enabled: availability === "available",
  });
  if (availability === "missing") {
    return (
      <ChartCard title={title} testId={testId}>
        <NotAvailable name={name} />
      </ChartCard>
    );
  }
  const rows = (data?.rows ?? []) as Row[];
  return (
    <ChartCard
      title={title}
      testId={testId}
      definition={data?.definition}
      notes={data?.notes}
      asOf={data?.as_of}
      table={data ? { columns: data.columns, rows } : undefined}
      download={
        availability === "available" ? (
          <CsvLink href={metricCsvUrl(name, query)} label={title} />
        ) : null
      }
    >
      {error ? <ErrorMessage error={error} title={`Could not load ${name}`} /> : null}
      {availability === "loading" || (isPending && !error) ? <Loading /> : null}
      {data && rows.length === 0 ? <EmptyState>No data in this period.</EmptyState> : null}
      {data && rows.length > 0 ? render(data) : null}
    </ChartCard>
  );
}
