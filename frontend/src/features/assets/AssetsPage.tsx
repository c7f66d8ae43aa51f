import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { assetListQuery } from "../../api/assets";
import type { SchemaAssetRead } from "../../api/generated/schema";
import { metricQuery } from "../../api/metrics";
import {
  Badge,
  Button,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  type Tone,
} from "../../components/ui";
import { formatNumber, humanize } from "../../lib/format";
import { canEditAssets } from "../auth/pagePermissions";
import { useCurrentUser } from "../auth/useCurrentUser";
import { latestRows, type Row } from "../posture/table";
import { AssetEditDialog } from "./AssetEditDialog";
import "../pages.css";

const EXPOSURE_TONE: Record<string, Tone> = {
  internet: "high",
  internal: "neutral",
  isolated: "ok",
};
const ENV_TONE: Record<string, Tone> = { prod: "high", staging: "medium", dev: "low", test: "low" };

/** Open risk per asset from the latest posture snapshot (name -> risk points). */
function useRiskByAsset(): Map<string, number> | "loading" | "unavailable" {
  const { data, error } = useQuery(metricQuery("posture", { period: "7d", group_by: "asset" }));
  if (error) return "unavailable";
  if (!data) return "loading";
  const out = new Map<string, number>();
  for (const row of latestRows(data.rows as Row[])) {
    if (typeof row.asset === "string" && typeof row.open_risk === "number") {
      out.set(row.asset, row.open_risk);
    }
  }
  return out;
}

export function AssetsPage() {
  const user = useCurrentUser();
  const editable = canEditAssets(user);
  const { data, error, isPending } = useQuery(assetListQuery);
  const risk = useRiskByAsset();
  const [editing, setEditing] = useState<SchemaAssetRead | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <PageHeader title="Assets">
        <span className="muted">
          {data ? `${formatNumber(data.length)} assets` : ""} · context drives each finding's risk
        </span>
      </PageHeader>
      {notice ? (
        <div className="notice" role="status">
          {notice}{" "}
          <button type="button" className="link-button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {error ? <ErrorMessage error={error} title="Could not load assets" /> : null}
      {isPending ? <Loading label="Loading assets…" /> : null}
      {data && data.length === 0 ? (
        <EmptyState>
          No assets yet: declare them in assets.yaml (<code>aspm assets apply</code>).
        </EmptyState>
      ) : null}
      {data && data.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table" data-testid="assets-table">
            <caption className="sr-only">Assets with their context and open findings</caption>
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Environment</th>
                <th scope="col">Exposure</th>
                <th scope="col">Data sensitivity</th>
                <th scope="col">Criticality</th>
                <th scope="col">Owner</th>
                <th scope="col" className="num">
                  Open findings
                </th>
                <th
                  scope="col"
                  className="num"
                  title="sum of open findings' risk scores, latest snapshot"
                >
                  Open risk
                </th>
                {editable ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {data.map((asset) => (
                <tr key={asset.id} data-testid="asset-row">
                  <th scope="row" className="wrap">
                    {asset.name}
                    <div className="muted small">{humanize(asset.kind)}</div>
                  </th>
                  <td>
                    <Badge tone={ENV_TONE[asset.environment] ?? "neutral"}>
                      {asset.environment}
                    </Badge>
                  </td>
                  <td>
                    <Badge tone={EXPOSURE_TONE[asset.exposure] ?? "neutral"}>
                      {humanize(asset.exposure)}
                    </Badge>
                  </td>
                  <td>
                    {asset.data_sensitivity}
                    {asset.data_tags.length > 0 ? (
                      <div className="muted small">{asset.data_tags.join(", ")}</div>
                    ) : null}
                  </td>
                  <td>{asset.criticality ? `tier ${asset.criticality}` : "–"}</td>
                  <td>{asset.owner_team ?? "–"}</td>
                  <td className="num">
                    <Link
                      to="/findings"
                      search={{ asset: asset.name }}
                      aria-label={`${asset.findings} open findings of ${asset.name}`}
                    >
                      {formatNumber(asset.findings)}
                    </Link>
                  </td>
                  <td className="num">
                    {risk === "loading" ? (
                      <span className="muted">…</span>
                    ) : risk === "unavailable" ? (
                      <span className="muted" title="the posture metric could not be loaded">
                        –
                      </span>
                    ) : (
                      formatNumber(risk.get(asset.name) ?? 0)
                    )}
                  </td>
                  {editable ? (
                    <td>
                      {/* the bucket of findings no asset claims has no context to edit */}
                      {asset.kind === "unassigned" ? null : (
                        <Button
                          size="sm"
                          onClick={() => setEditing(asset)}
                          aria-label={`Edit ${asset.name}`}
                        >
                          Edit
                        </Button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing ? (
        <AssetEditDialog
          asset={editing}
          onClose={() => setEditing(null)}
          onSaved={(message) => {
            setEditing(null);
            setNotice(message);
          }}
        />
      ) : null}
    </>
  );
}
