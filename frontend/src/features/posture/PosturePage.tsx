import { useQuery } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { assetListQuery } from "../../api/assets";
import { directoryQuery } from "../../api/auth";
import { environmentValues, type SchemaMetricName } from "../../api/generated/schema";
import { metricCatalogueQuery, metricQuery } from "../../api/metrics";
import { ErrorMessage, PageHeader, SelectField } from "../../components/ui";
import { formatDate, formatDateTime, formatNumber } from "../../lib/format";
import { PRIORITIES } from "../../lib/severity";
import { BarsAndLineChart, CategoryBarChart, StackedAreaChart } from "./charts";
import { IacCoverageCard } from "./IacCoverageCard";
import { type Availability, MetricCard } from "./MetricCard";
import { PriorityBreakdownCard } from "./PriorityBreakdownCard";
import "../pages.css";
import "./posture.css";
import {
  DEFAULT_PERIOD,
  dayBefore,
  intervalFor,
  levelIntervalFor,
  PERIODS,
  type PeriodValue,
  type PostureScope,
  type PostureSearch,
  scopeOf,
} from "./search";
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
  const scope = scopeOf(search);
  const go = (patch: Partial<PostureSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  return (
    <>
      <PageHeader title="Posture">
        <SelectField
          label="Period"
          value={period}
          options={PERIODS}
          onChange={(e) => go({ period: e.target.value as PeriodValue })}
        />
      </PageHeader>
      <ScopeFilters search={search} onChange={go} />
      {catalogue.error ? (
        <ErrorMessage error={catalogue.error} title="Could not load the metrics catalogue" />
      ) : null}
      <Headline period={period} scope={scope} availability={availability("posture")} />
      <div className="chart-grid">
        <MetricCard
          title="Open risk over time, by priority"
          testId="chart-open-risk"
          name="posture"
          query={{ ...scope, period, group_by: "priority", interval: levelIntervalFor(period) }}
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
          scope={scope}
          availability={availability("posture")}
        />
        <PriorityBreakdownCard
          dimension="environment"
          period={period}
          scope={scope}
          availability={availability("posture")}
        />
        <MetricCard
          title="Mean time to remediate, by priority (days)"
          testId="chart-mttr"
          name="mttr"
          query={{ ...scope, period, group_by: "priority" }}
          availability={availability("mttr")}
          render={(r) => (
            <CategoryBarChart data={r.rows as Row[]} category="priority" values={["mttr_days"]} />
          )}
        />
        <MetricCard
          title="SLA compliance by priority"
          testId="chart-sla"
          name="sla"
          query={{ ...scope, period, group_by: "priority" }}
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
          query={{ ...scope, period, interval }}
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
          query={{ ...scope, period, interval }}
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
          query={{ ...scope, period, interval }}
          availability={availability("drift")}
          render={(r) => (
            <BarsAndLineChart
              data={r.rows as Row[]}
              category="period"
              bars={["drift_findings", "cloud_regressions"]}
            />
          )}
        />
        <IacCoverageCard scope={scope} availability={availability("iac_coverage")} />
        <MetricCard
          title="Scan coverage per tool family"
          testId="chart-coverage"
          name="coverage"
          query={{ ...scope, period, group_by: "family" }}
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
          query={{ ...scope, period, group_by: "framework" }}
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

/** Team, asset and environment: the scope of every tile and chart, held in the URL. */
function ScopeFilters({
  search,
  onChange,
}: {
  search: PostureSearch;
  onChange: (patch: Partial<PostureSearch>) => void;
}) {
  const directory = useQuery(directoryQuery);
  const assets = useQuery(assetListQuery);
  const withCurrent = (names: readonly string[], current: string | undefined) => {
    const all = current && !names.includes(current) ? [current, ...names] : [...names];
    return all.map((n) => ({ value: n, label: n }));
  };
  const teams = withCurrent(directory.data?.teams ?? [], search.team);
  const assetNames = withCurrent(
    (assets.data ?? []).filter((a) => a.kind !== "unassigned").map((a) => a.name),
    search.asset,
  );
  return (
    <fieldset className="filters-row posture-filters">
      <legend className="sr-only">Scope of every figure</legend>
      <SelectField
        label="Team"
        value={search.team ?? ""}
        placeholder="all teams"
        options={teams}
        onChange={(e) => onChange({ team: e.target.value || undefined })}
      />
      <SelectField
        label="Asset"
        value={search.asset ?? ""}
        placeholder="all assets"
        options={assetNames}
        onChange={(e) => onChange({ asset: e.target.value || undefined })}
      />
      <SelectField
        label="Environment"
        value={search.environment ?? ""}
        placeholder="all environments"
        options={environmentValues.map((v) => ({ value: v, label: v }))}
        onChange={(e) => onChange({ environment: e.target.value || undefined })}
      />
    </fieldset>
  );
}

interface Totals {
  day: string;
  open_risk: number;
  open_count: number;
  p1: number;
  overdue_count: number;
  accepted_count: number;
}

/** The totals of a posture result's last snapshot day (null: no snapshot in its period). */
function totalsOf(rows: readonly Row[]): Totals | null {
  const latest = latestRows(rows);
  if (latest.length === 0) return null;
  const sum = (col: string) =>
    latest.reduce((acc, r) => acc + (typeof r[col] === "number" ? (r[col] as number) : 0), 0);
  const byPriority = pivot(latest, "day", "priority", "open_count", PRIORITIES).data[0] ?? {};
  return {
    day: String(latest[0]?.day ?? ""),
    open_risk: sum("open_risk"),
    open_count: sum("open_count"),
    p1: Number(byPriority.P1 ?? 0),
    overdue_count: sum("overdue_count"),
    accepted_count: sum("accepted_count"),
  };
}

const TILES: { key: Exclude<keyof Totals, "day">; label: string; testId: string }[] = [
  { key: "open_risk", label: "Open risk", testId: "kpi-open-risk" },
  { key: "open_count", label: "Open findings", testId: "kpi-open" },
  { key: "p1", label: "P1 open", testId: "kpi-p1" },
  { key: "overdue_count", label: "Overdue", testId: "kpi-overdue" },
  { key: "accepted_count", label: "Accepted risks", testId: "kpi-accepted" },
];

/** "+12", "−3" or "no change" against the previous period's last snapshot. */
function Change({ now, before, day }: { now: number; before: number | null; day: string }) {
  if (before === null) {
    return <span className="kpi-change">no earlier snapshot</span>;
  }
  const diff = now - before;
  const since = ` since ${formatDate(day)}`;
  if (diff === 0) return <span className="kpi-change">no change{since}</span>;
  // every tile counts something to bring down: a rise is bad news, a fall good news
  return (
    <span className={`kpi-change ${diff > 0 ? "kpi-up" : "kpi-down"}`}>
      <span className="sr-only">{diff > 0 ? "up " : "down "}</span>
      <span aria-hidden="true">{diff > 0 ? "▲ +" : "▼ −"}</span>
      {formatNumber(Math.abs(diff))}
      {since}
    </span>
  );
}

/**
 * The latest snapshot's totals (open risk, open findings, P1, overdue, accepted), each with its
 * change against the last snapshot of the previous period of the same length.
 */
function Headline({
  period,
  scope,
  availability,
}: {
  period: string;
  scope: PostureScope;
  availability: Availability;
}) {
  const { data } = useQuery({
    ...metricQuery("posture", { ...scope, period, group_by: "priority" }),
    enabled: availability === "available",
  });
  const previousEnd = data ? dayBefore(data.period.start) : undefined;
  const previous = useQuery({
    ...metricQuery("posture", { ...scope, period, group_by: "priority", end: previousEnd }),
    enabled: previousEnd !== undefined,
  });
  if (!data) return null;
  const now = totalsOf(data.rows as Row[]);
  const before = previous.data ? totalsOf(previous.data.rows as Row[]) : null;
  return (
    <dl
      className="kpis"
      aria-label={now ? `Latest snapshot (${now.day})` : "No snapshot in this period"}
    >
      {TILES.map((tile) => (
        <div key={tile.key}>
          <dt>{tile.label}</dt>
          <dd data-testid={tile.testId}>{formatNumber(now ? now[tile.key] : 0)}</dd>
          <dd className="kpi-delta" data-testid={`${tile.testId}-change`}>
            {previous.isPending && previousEnd ? null : (
              <Change
                now={now ? now[tile.key] : 0}
                before={before ? before[tile.key] : null}
                day={before?.day ?? ""}
              />
            )}
          </dd>
        </div>
      ))}
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
