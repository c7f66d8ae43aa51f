import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { assetListQuery } from "../../api/assets";
import { formatListQuery, importListQuery } from "../../api/imports";
import {
  Badge,
  Button,
  DataTable,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  Pager,
  Section,
  SelectField,
  TextField,
  type Tone,
} from "../../components/ui";
import { formatDateTime, formatNumber } from "../../lib/format";
import { canUpload } from "../auth/pagePermissions";
import { useCurrentUser } from "../auth/useCurrentUser";
import { IMPORT_PAGE_SIZE, type ImportSearch } from "./search";
import { UploadPanel } from "./UploadPanel";
import "../pages.css";

const route = getRouteApi("/app/imports");

const STATUS_LABEL: Record<NonNullable<ImportSearch["status"]>, string> = {
  ok: "imported",
  error: "failed",
  queued: "queued",
  running: "running",
};
const STATUS_TONE: Record<string, Tone> = { ok: "ok", error: "critical" };
const STATUS_OPTIONS = Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label }));

/** Asset, tool (or format) and status of the history, held in the URL. */
function HistoryFilters({
  search,
  onChange,
}: {
  search: ImportSearch;
  onChange: (next: ImportSearch) => void;
}) {
  const assets = useQuery(assetListQuery);
  const formats = useQuery(formatListQuery);
  const [tool, setTool] = useState(search.tool ?? "");
  const apply = (patch: Partial<ImportSearch>) =>
    onChange({ asset: search.asset, tool: search.tool, status: search.status, ...patch });
  const assetOptions = (assets.data ?? []).map((a) => ({ value: a.name, label: a.name }));
  if (search.asset && !assetOptions.some((o) => o.value === search.asset)) {
    assetOptions.unshift({ value: search.asset, label: search.asset });
  }
  return (
    <form
      className="filters-row import-filters"
      aria-label="Filter imports"
      onSubmit={(e) => {
        e.preventDefault();
        apply({ tool: tool.trim() || undefined });
      }}
    >
      <SelectField
        label="Into asset"
        value={search.asset ?? ""}
        placeholder="any asset"
        options={assetOptions}
        onChange={(e) => apply({ asset: e.target.value || undefined })}
      />
      <TextField
        label="Tool or format"
        value={tool}
        list="import-tool-names"
        placeholder="e.g. checkov"
        onChange={(e) => setTool(e.target.value)}
        onBlur={() => {
          if ((tool.trim() || undefined) !== search.tool) apply({ tool: tool.trim() || undefined });
        }}
      />
      <datalist id="import-tool-names">
        {(formats.data ?? []).map((f) => (
          <option key={f.name} value={f.name}>
            {f.title}
          </option>
        ))}
      </datalist>
      <SelectField
        label="Status"
        value={search.status ?? ""}
        placeholder="any status"
        options={STATUS_OPTIONS}
        onChange={(e) => apply({ status: (e.target.value || undefined) as ImportSearch["status"] })}
      />
      <Button type="submit">Filter</Button>
    </form>
  );
}

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
    importListQuery({
      limit: IMPORT_PAGE_SIZE,
      offset,
      status: search.status,
      asset: search.asset,
      tool: search.tool,
    }),
  );
  const filtered = Boolean(search.status || search.asset || search.tool);

  return (
    <>
      <PageHeader title="Imports" />
      {canUpload(user) ? <UploadPanel /> : null}
      <Section title="History">
        <HistoryFilters
          key={search.tool ?? ""}
          search={search}
          onChange={(next) => void navigate({ search: next })}
        />
        {error ? <ErrorMessage error={error} title="Could not load imports" /> : null}
        {isPending ? <Loading label="Loading imports…" /> : null}
        {data && data.items.length === 0 ? (
          <EmptyState>
            {filtered ? "No imports match these filters." : "No imports yet."}
          </EmptyState>
        ) : null}
        {data && data.items.length > 0 ? (
          <DataTable
            caption="Imports, newest first"
            columns={[
              "When",
              "File",
              "Tool",
              "Asset",
              "By",
              "Status",
              { label: "Records", className: "num" },
              { label: "New", className: "num" },
              { label: "Unchanged", className: "num" },
              { label: "Resolved", className: "num" },
              { label: "Skipped", className: "num" },
            ]}
            actions="Findings"
            testId="imports-table"
          >
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
                  {run.tool_version ? <div className="muted small">{run.tool_version}</div> : null}
                </td>
                <td className="wrap">{run.asset ?? "–"}</td>
                <td>{run.uploaded_by}</td>
                <td>
                  <Badge tone={STATUS_TONE[run.status] ?? "neutral"}>
                    {STATUS_LABEL[run.status as keyof typeof STATUS_LABEL] ?? run.status}
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
          </DataTable>
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
