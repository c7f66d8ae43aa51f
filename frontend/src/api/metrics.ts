/** Posture metrics: the catalogue and one metric's table (STYLE §12). */
import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { paths, SchemaMetricName, SchemaMetricResult } from "./generated/schema";

export type MetricParams = NonNullable<
  paths["/api/v1/metrics/{name}"]["get"]["parameters"]["query"]
>;
/** The metric query without the download format (the page asks for JSON; CSV is a link). */
export type MetricQuery = Omit<MetricParams, "format">;

export const metricKeys = {
  all: ["metrics"] as const,
  catalogue: () => [...metricKeys.all, "catalogue"] as const,
  metric: (name: SchemaMetricName, q: MetricQuery) => [...metricKeys.all, name, q] as const,
};

export const metricCatalogueQuery = queryOptions({
  queryKey: metricKeys.catalogue(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/metrics", { signal })),
  staleTime: 5 * 60_000,
});

export function metricQuery(name: SchemaMetricName, q: MetricQuery) {
  return queryOptions({
    queryKey: metricKeys.metric(name, q),
    queryFn: async ({ signal }): Promise<SchemaMetricResult> => {
      const data = await unwrap(
        api.GET("/api/v1/metrics/{name}", {
          params: { path: { name }, query: { ...q, format: "json" } },
          signal,
        }),
      );
      // the operation also declares CSV/XLSX bodies; format=json always answers the table
      if (typeof data === "string") throw new Error(`metric ${name}: expected JSON`);
      return data;
    },
  });
}

/** The same table as CSV: a same-origin link (the session cookie authenticates the download). */
export function metricCsvUrl(name: SchemaMetricName, q: MetricQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(q)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  params.set("format", "csv");
  return `/api/v1/metrics/${encodeURIComponent(name)}?${params.toString()}`;
}
