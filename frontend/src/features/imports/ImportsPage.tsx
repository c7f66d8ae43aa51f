import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { importListQuery } from "../../api/imports";
import {
  Badge,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  Pager,
  Section,
  SelectField,
} from "../../components/ui";
import { formatDateTime, formatNumber } from "../../lib/format";
import { canUpload } from "../auth/pagePermissions";
import { useCurrentUser } from "../auth/useCurrentUser";
import { IMPORT_PAGE_SIZE } from "./search";
import { UploadPanel } from "./UploadPanel";
import "../pages.css";

const route = getRouteApi("/app/imports");

const STATUS_OPTIONS = [
  { value: "ok", label: "imported" },
  { value: "error", label: "failed" },
];

function count(counts: Record<string, unknown>, key: string): string {
  const v = counts[key];
  return typeof v === "number" ? formatNumber(v) : "–";
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

export function ImportsPage() {
  const user = useCurrentUser();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/imports" });
  const offset = search.offset ?? 0;
  const { data, error, isPending } = useQuery(
    importListQuery({ limit: IMPORT_PAGE_SIZE, offset, status: search.status }),
  );

  return (
    <>
      <PageHeader title="Imports" />
      {canUpload(user) ? <UploadPanel /> : null}
      <Section
        title="History"
        actions={
          <SelectField
            label="Status"
            value={search.status ?? ""}
            placeholder="all"
            options={STATUS_OPTIONS}
            onChange={(e) =>
              void navigate({
                search: { status: (e.target.value || undefined) as "ok" | "error" | undefined },
              })
            }
          />
        }
      >
        {error ? <ErrorMessage error={error} title="Could not load imports" /> : null}
        {isPending ? <Loading label="Loading imports…" /> : null}
        {data && data.items.length === 0 ? <EmptyState>No imports yet.</EmptyState> : null}
        {data && data.items.length > 0 ? (
          <div className="table-scroll">
            <table className="data-table" data-testid="imports-table">
              <caption className="sr-only">Imports, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">File</th>
                  <th scope="col">Tool</th>
                  <th scope="col">By</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Records
                  </th>
                  <th scope="col" className="num">
                    New
                  </th>
                  <th scope="col" className="num">
                    Unchanged
                  </th>
                  <th scope="col" className="num">
                    Resolved
                  </th>
                  <th scope="col" className="num">
                    Skipped
                  </th>
                  <th scope="col">
                    <span className="sr-only">Findings</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((run) => (
                  <tr key={run.id} data-testid="import-row">
                    <td>{formatDateTime(run.started_at)}</td>
                    <td className="wrap" title={run.filename}>
                      {basename(run.filename)}
                      {run.error ? <div className="field-error">{run.error}</div> : null}
                      {run.warnings.length > 0 ? (
                        <div className="muted small">{run.warnings.length} warnings</div>
                      ) : null}
                    </td>
                    <td>
                      {run.tool ?? "–"}
                      {run.tool_version ? (
                        <div className="muted small">{run.tool_version}</div>
                      ) : null}
                    </td>
                    <td>{run.uploaded_by}</td>
                    <td>
                      <Badge tone={run.status === "ok" ? "ok" : "critical"}>
                        {run.status === "ok" ? "imported" : "failed"}
                      </Badge>
                    </td>
                    <td className="num">{count(run.counts, "records")}</td>
                    <td className="num">{count(run.counts, "new_findings")}</td>
                    <td className="num">{count(run.counts, "unchanged")}</td>
                    <td className="num">{count(run.counts, "resolved_findings")}</td>
                    <td className="num">{count(run.counts, "skipped")}</td>
                    <td>
                      {run.status === "ok" ? (
                        <Link
                          to="/findings"
                          search={{ import_id: run.id, view: "all" }}
                          aria-label={`Its findings (import of ${basename(run.filename)})`}
                          data-testid="import-findings"
                        >
                          Its findings
                        </Link>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data ? (
          <Pager
            offset={data.offset}
            limit={data.limit || IMPORT_PAGE_SIZE}
            total={data.total}
            onChange={(next) =>
              void navigate({ search: (prev) => ({ ...prev, offset: next || undefined }) })
            }
          />
        ) : null}
      </Section>
    </>
  );
}
