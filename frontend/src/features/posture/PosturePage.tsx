import { useQuery } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import type { SchemaMetricName } from "../../api/generated/schema";
import { metricCatalogueQuery, metricQuery } from "../../api/metrics";
import { ErrorMessage, PageHeader, SelectField } from "../../components/ui";
import { formatDateTime, formatNumber } from "../../lib/format";
import { PRIORITIES } from "../../lib/severity";
import { BarsAndLineChart, CategoryBarChart, StackedAreaChart } from "./charts";
import { IacCoverageCard } from "./IacCoverageCard";
import { type Availability, MetricCard } from "./MetricCard";
import { PriorityBreakdownCard } from "./PriorityBreakdownCard";
import "../pages.css";
import { DEFAULT_PERIOD, intervalFor, levelIntervalFor, PERIODS, type PeriodValue } from "./search";
import { latestRows, pivot, type Row } from "./table";

const route = getRouteApi("/app/posture");

/** Leadership's home: the posture metrics over a period chosen in the URL. */
export function PosturePage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/posture" });
  const period: PeriodValue = search.period ?? DEFAULT_PERIOD;
  const catalogue = useQuery(metricCatalogueQuery);
  const offered = new Set(catalogue.data?.map((m) => m.name) ?? []);
  const availability = (name: SchemaMetricName): Availability =>
    catalogue.isPending ? "loading" : offered.has(name) ? "available" : "missing";
  const interval = intervalFor(period);

  return (
    <>
      <PageHeader title="Posture">
        <SelectField
          label="Period"
          value={period}
          options={PERIODS}
          onChange={(e) =>
            void navigate({ search: { period: e.target.value as PeriodValue }, replace: true })
          }
        />
      </PageHeader>
      {catalogue.error ? (
        <ErrorMessage error={catalogue.error} title="Could not load the metrics catalogue" />
      ) : null}
      <Headline period={period} availability={availability("posture")} />
      <div className="chart-grid">
        <MetricCard
          title="Open risk over time, by priority"
          testId="chart-open-risk"
          name="posture"
          query={{ period, group_by: "priority", interval: levelIntervalFor(period) }}
          availability={availability("posture")}
          render={(r) => (
            <StackedAreaChart
              rows={r.rows as Row[]}
              index="period"
              seriesCol="priority"
              valueCol="open_risk"
            />
          )}
        />
        <PriorityBreakdownCard
          dimension="team"
          period={period}
          availability={availability("posture")}
        />
        <PriorityBreakdownCard
          dimension="environment"
          period={period}
          availability={availability("posture")}
        />
        <MetricCard
          title="Mean time to remediate, by priority (days)"
          testId="chart-mttr"
          name="mttr"
          query={{ period, group_by: "priority" }}
          availability={availability("mttr")}
          render={(r) => (
            <CategoryBarChart data={r.rows as Row[]} category="priority" values={["mttr_days"]} />
          )}
        />
        <MetricCard
          title="SLA compliance by priority"
          testId="chart-sla"
          name="sla"
          query={{ period, group_by: "priority" }}
          availability={availability("sla")}
          render={(r) => (
            <CategoryBarChart
              data={r.rows as Row[]}
              category="priority"
              values={["sla_compliance"]}
              names={{ sla_compliance: "resolved within SLA" }}
            />
          )}
        />
        <MetricCard
          title="Net resolve rate (resolved / created)"
          testId="chart-net-resolve"
          name="net_resolve_rate"
          query={{ period, interval }}
          availability={availability("net_resolve_rate")}
          render={(r) => (
            <BarsAndLineChart
              data={r.rows as Row[]}
              category="period"
              bars={["created", "resolved"]}
              line="net_resolve_rate"
            />
          )}
        />
        <MetricCard
          title="Violations blocked before deploy"
          testId="chart-violations"
          name="violations_blocked"
          query={{ period, interval }}
          availability={availability("violations_blocked")}
          render={(r) => (
            <BarsAndLineChart
              data={r.rows as Row[]}
              category="period"
              bars={["evaluations", "failed", "failing_findings"]}
            />
          )}
        />
        <MetricCard
          title="Drift alerts"
          testId="chart-drift"
          name="drift"
          query={{ period, interval }}
          availability={availability("drift")}
          render={(r) => (
            <BarsAndLineChart
              data={r.rows as Row[]}
              category="period"
              bars={["drift_findings", "cloud_regressions"]}
            />
          )}
        />
        <IacCoverageCard availability={availability("iac_coverage")} />
        <MetricCard
          title="Scan coverage per tool family"
          testId="chart-coverage"
          name="coverage"
          query={{ period, group_by: "family" }}
          availability={availability("coverage")}
          render={(r) => (
            <CategoryBarChart
              data={r.rows as Row[]}
              category="family"
              values={["coverage"]}
              names={{ coverage: "assets covered" }}
            />
          )}
        />
        <MetricCard
          title="Compliance by framework (controls)"
          testId="chart-compliance"
          name="compliance"
          query={{ period, group_by: "framework" }}
          availability={availability("compliance")}
          render={(r) => (
            <CategoryBarChart
              data={r.rows as Row[]}
              category={r.columns[0] ?? "family"}
              values={["passing", "failing"]}
              stacked
            />
          )}
        />
      </div>
    </>
  );
}

/** The latest snapshot's totals: open risk, open findings, overdue, accepted. */
function Headline({ period, availability }: { period: string; availability: Availability }) {
  const { data } = useQuery({
    ...metricQuery("posture", { period, group_by: "priority" }),
    enabled: availability === "available",
  });
  if (!data || data.rows.length === 0) return null;
  const rows = latestRows(data.rows as Row[]);
  const sum = (col: string) =>
    rows.reduce((acc, r) => acc + (typeof r[col] === "number" ? (r[col] as number) : 0), 0);
  const byPriority = pivot(rows, "day", "priority", "open_count", PRIORITIES).data[0] ?? {};
  return (
    <dl className="kpis" aria-label={`Latest snapshot (${String(rows[0]?.day ?? "")})`}>
      <div>
        <dt>Open risk</dt>
        <dd>{formatNumber(sum("open_risk"))}</dd>
      </div>
      <div>
        <dt>Open findings</dt>
        <dd>{formatNumber(sum("open_count"))}</dd>
      </div>
      <div>
        <dt>P1 open</dt>
        <dd>{formatNumber(Number(byPriority.P1 ?? 0))}</dd>
      </div>
      <div>
        <dt>Overdue</dt>
        <dd>{formatNumber(sum("overdue_count"))}</dd>
      </div>
      <div>
        <dt>Accepted risks</dt>
        <dd data-testid="kpi-accepted">{formatNumber(sum("accepted_count"))}</dd>
      </div>
      {data.as_of ? (
        <div>
          <dt>As of</dt>
          <dd className="small" data-testid="kpi-as-of">
            {formatDateTime(data.as_of)}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
