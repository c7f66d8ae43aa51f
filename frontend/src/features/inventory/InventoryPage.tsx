import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useEffect, useState } from "react";
import { assetListQuery } from "../../api/assets";
import type { SchemaResourceRead } from "../../api/generated/schema";
import { resourceListQuery } from "../../api/resources";
import {
  Button,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  Pager,
  SelectField,
  TextField,
} from "../../components/ui";
import { formatDate, formatNumber } from "../../lib/format";
import { ActiveBadge, ManagedBadge, resourceLabel } from "./ResourceBadges";
import { hasFilters, INVENTORY_PAGE_SIZE, type InventorySearch, toResourceQuery } from "./search";
import "../pages.css";

const route = getRouteApi("/app/inventory");

interface Draft {
  q: string;
  asset: string;
  provider: string;
  type: string;
  managed: string;
  has_findings: string;
  drifted: string;
  retired: string;
}

const flagText = (v: boolean | undefined) => (v === undefined ? "" : String(v));
const textFlag = (v: string) => (v === "true" ? true : v === "false" ? false : undefined);

function draftOf(search: InventorySearch): Draft {
  return {
    q: search.q ?? "",
    asset: search.asset ?? "",
    provider: search.provider ?? "",
    type: search.type ?? "",
    managed: flagText(search.managed),
    has_findings: flagText(search.has_findings),
    drifted: flagText(search.drifted),
    retired: search.retired ? "true" : "",
  };
}

function searchOf(draft: Draft): InventorySearch {
  const next: InventorySearch = {};
  for (const key of ["q", "asset", "provider", "type"] as const) {
    const value = draft[key].trim();
    if (value) next[key] = value;
  }
  const managed = textFlag(draft.managed);
  if (managed !== undefined) next.managed = managed;
  const hasFindings = textFlag(draft.has_findings);
  if (hasFindings !== undefined) next.has_findings = hasFindings;
  const drifted = textFlag(draft.drifted);
  if (drifted !== undefined) next.drifted = drifted;
  if (draft.retired === "true") next.retired = true;
  return next;
}

const MANAGED_OPTIONS = [
  { value: "true", label: "managed by IaC" },
  { value: "false", label: "unmanaged (created by hand)" },
];
const FINDINGS_OPTIONS = [
  { value: "true", label: "with findings" },
  { value: "false", label: "without findings" },
];
const DRIFT_OPTIONS = [
  { value: "true", label: "drifted (drift still reported)" },
  { value: "false", label: "no drift reported" },
];
const RETIRED_OPTIONS = [{ value: "true", label: "also retired" }];

/** The inventory: cloud resources from Terraform states and plans and driftctl scans. */
export function InventoryPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/inventory" });
  const { data, error, isPending, isPlaceholderData } = useQuery(
    resourceListQuery(toResourceQuery(search)),
  );
  const assets = useQuery(assetListQuery);
  const [draft, setDraft] = useState<Draft>(() => draftOf(search));
  // the URL is the truth: back/forward or a followed link refills the form
  useEffect(() => setDraft(draftOf(search)), [search]);

  const set = (key: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));

  function apply(e: FormEvent) {
    e.preventDefault();
    void navigate({ search: searchOf(draft) });
  }

  const assetNames = (assets.data ?? []).map((a) => a.name);
  if (search.asset && !assetNames.includes(search.asset)) assetNames.unshift(search.asset);
  const filtered = hasFilters(search);

  return (
    <>
      <PageHeader title="Inventory">
        <span className="muted">
          {data ? `${formatNumber(data.total)} resources` : ""} · from Terraform states, plans and
          driftctl scans
        </span>
      </PageHeader>
      <form className="filters" onSubmit={apply} aria-label="Inventory filters">
        <div className="filters-row">
          <TextField
            label="Search"
            type="search"
            placeholder="address, cloud id or name"
            value={draft.q}
            onChange={set("q")}
          />
          <SelectField
            label="Asset"
            value={draft.asset}
            placeholder="any"
            options={assetNames.map((name) => ({ value: name, label: name }))}
            onChange={set("asset")}
          />
          <TextField
            label="Provider"
            placeholder="e.g. aws"
            value={draft.provider}
            onChange={set("provider")}
          />
          <TextField
            label="Type"
            placeholder="e.g. aws_s3_bucket"
            value={draft.type}
            onChange={set("type")}
          />
          <SelectField
            label="Managed"
            value={draft.managed}
            placeholder="any"
            options={MANAGED_OPTIONS}
            onChange={set("managed")}
          />
          <SelectField
            label="Findings"
            value={draft.has_findings}
            placeholder="any"
            options={FINDINGS_OPTIONS}
            onChange={set("has_findings")}
          />
          <SelectField
            label="Drift"
            value={draft.drifted}
            placeholder="any"
            options={DRIFT_OPTIONS}
            onChange={set("drifted")}
          />
          <SelectField
            label="Retired"
            value={draft.retired}
            placeholder="active only"
            options={RETIRED_OPTIONS}
            onChange={set("retired")}
          />
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button onClick={() => void navigate({ search: {} })}>Clear</Button>
        </div>
      </form>
      {error ? <ErrorMessage error={error} title="Could not load the inventory" /> : null}
      {isPending ? <Loading label="Loading resources…" /> : null}
      {data && data.items.length === 0 ? (
        filtered ? (
          <EmptyState>No resource matches these filters.</EmptyState>
        ) : (
          <EmptyInventory />
        )
      ) : null}
      {data && data.items.length > 0 ? (
        <div
          className={`table-scroll ${isPlaceholderData ? "stale" : ""}`}
          aria-busy={isPlaceholderData}
        >
          <table className="data-table" data-testid="resources-table">
            <caption className="sr-only">Resources in the inventory</caption>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Type</th>
                <th scope="col">Cloud id</th>
                <th scope="col">Account / region</th>
                <th scope="col">Asset</th>
                <th scope="col">Managed</th>
                <th scope="col">Active</th>
                <th scope="col" className="num">
                  Linked findings
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((resource) => (
                <ResourceRow key={resource.id} resource={resource} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? (
        <Pager
          offset={data.offset}
          limit={data.limit || INVENTORY_PAGE_SIZE}
          total={data.total}
          onChange={(next) =>
            void navigate({ search: (prev) => ({ ...prev, offset: next || undefined }) })
          }
        />
      ) : null}
    </>
  );
}

/** How to fill an empty inventory. */
function EmptyInventory() {
  return (
    <EmptyState>
      <p>
        The inventory is empty. It fills from infrastructure-as-code imports: a Terraform state (
        <code>aspm ingest terraform.tfstate</code>), a plan (
        <code>terraform show -json plan.out &gt; plan.json</code>, then{" "}
        <code>aspm ingest plan.json</code>) or a driftctl scan for resources created by hand (
        <code>driftctl scan --output json://drift.json</code>, then{" "}
        <code>aspm ingest drift.json</code>).
      </p>
      <p>
        Add <code>--asset NAME</code> to file them under an asset, or upload the same files on the{" "}
        <Link to="/imports">Imports</Link> page.
      </p>
    </EmptyState>
  );
}

function ResourceRow({ resource: r }: { resource: SchemaResourceRead }) {
  return (
    <tr data-testid="resource-row" data-resource-id={r.id}>
      <th scope="row" className="wrap">
        <Link to="/inventory/$resourceId" params={{ resourceId: r.id }}>
          {resourceLabel(r)}
        </Link>
        {r.name && r.name !== resourceLabel(r) ? <div className="muted small">{r.name}</div> : null}
      </th>
      <td className="wrap">
        <code>{r.type}</code>
        <div className="muted small">{r.provider}</div>
      </td>
      <td className="wrap id">{r.cloud_id ?? "–"}</td>
      <td>
        {r.account_id ?? "–"}
        <div className="muted small">{r.region ?? "–"}</div>
      </td>
      <td className="wrap">{r.asset}</td>
      <td>
        <ManagedBadge managed={r.managed} />
      </td>
      <td>
        <ActiveBadge active={r.active} />
        {r.active ? null : <div className="muted small">{formatDate(r.retired_at)}</div>}
      </td>
      <td className="num">{formatNumber(r.findings)}</td>
    </tr>
  );
}
