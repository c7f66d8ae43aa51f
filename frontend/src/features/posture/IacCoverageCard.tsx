import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { metricCsvUrl, metricQuery } from "../../api/metrics";
import { EmptyState, ErrorMessage, Loading } from "../../components/ui";
import { formatNumber } from "../../lib/format";
import { type Availability, ChartCard, CsvLink, NotAvailable } from "./MetricCard";
import type { PostureScope } from "./search";
import type { Row } from "./table";

const TITLE = "IaC coverage of cloud resources";

/** The inventory as it stands now: how many live cloud resources a Terraform state manages. */
export function IacCoverageCard({
  scope = {},
  availability,
}: {
  scope?: PostureScope;
  availability: Availability;
}) {
  const { data, error, isPending } = useQuery({
    ...metricQuery("iac_coverage", { ...scope }),
    enabled: availability === "available",
  });
  if (availability === "missing") {
    return (
      <ChartCard title={TITLE} testId="iac-coverage">
        <NotAvailable name="iac_coverage" />
      </ChartCard>
    );
  }
  const rows = (data?.rows ?? []) as Row[];
  const row = rows[0];
  const total = Number(row?.cloud_resources ?? 0);
  const unmanaged = Number(row?.unmanaged ?? 0);
  const share = typeof row?.iac_coverage === "number" ? row.iac_coverage : null;
  return (
    <ChartCard
      title={TITLE}
      testId="iac-coverage"
      definition={data?.definition}
      notes={data?.notes}
      table={data ? { columns: data.columns, rows } : undefined}
      download={
        availability === "available" ? (
          <CsvLink href={metricCsvUrl("iac_coverage", { ...scope })} label={TITLE} />
        ) : null
      }
    >
      {error ? <ErrorMessage error={error} title="Could not load iac_coverage" /> : null}
      {availability === "loading" || (isPending && !error) ? <Loading /> : null}
      {data && (share === null || total === 0) ? (
        <EmptyState>No live cloud resource in the inventory yet.</EmptyState>
      ) : null}
      {data && share !== null && total > 0 ? (
        <div className="iac-coverage">
          <p data-testid="iac-coverage-figure">
            <strong>IaC coverage: {Math.round(share * 100)}%</strong> of {formatNumber(total)} live
            cloud resource{total === 1 ? "" : "s"} {total === 1 ? "is" : "are"} managed by Terraform
            ({formatNumber(unmanaged)} unmanaged)
          </p>
          <p>
            <Link to="/inventory" search={{ managed: false }}>
              Unmanaged resources in the inventory
            </Link>
          </p>
        </div>
      ) : null}
    </ChartCard>
  );
}
