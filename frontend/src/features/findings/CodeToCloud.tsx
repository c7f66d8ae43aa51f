import { Link } from "@tanstack/react-router";
import type { SchemaCodeToCloudRead } from "../../api/generated/schema";
import { formatDate } from "../../lib/format";
import { resourceLabel } from "../inventory/ResourceBadges";
import { SeverityBadge } from "./Badges";
import "../pages.css";

/**
 * Where a finding's resource is in code (file, line, IaC address) and in the cloud (cloud id,
 * account, region), whether a Terraform state holds it, and what drifted on it.
 */
export function CodeToCloud({ c2c }: { c2c: SchemaCodeToCloudRead }) {
  const { resource, in_code: code, in_cloud: cloud, drift } = c2c;
  const where = cloud ? [cloud.account_id && `account ${cloud.account_id}`, cloud.region] : [];
  const cloudDetail = where.filter(Boolean).join(", ");
  return (
    <div className="code-to-cloud" data-testid="code-to-cloud">
      <dl className="facts">
        <dt>In code</dt>
        <dd data-testid="in-code">
          {code ? (
            <>
              <code>{code.start_line != null ? `${code.path}:${code.start_line}` : code.path}</code>
              {resource.address ? (
                <>
                  {" "}
                  <code>{resource.address}</code>
                </>
              ) : null}
              <span className="muted"> ({code.tool})</span>
            </>
          ) : resource.address ? (
            <>
              <code>{resource.address}</code>{" "}
              <span className="muted">(no IaC scan reported its file)</span>
            </>
          ) : (
            <span className="muted">not in code</span>
          )}
        </dd>
        <dt>In cloud</dt>
        <dd data-testid="in-cloud">
          {cloud ? (
            <>
              <code>{cloud.cloud_id}</code>
              {cloudDetail ? ` (${cloudDetail})` : null}
            </>
          ) : (
            <span className="muted">not deployed (no cloud id)</span>
          )}
        </dd>
      </dl>
      {resource.managed ? null : (
        <p className="unmanaged" data-testid="unmanaged">
          <strong>Unmanaged:</strong> no Terraform state holds it
        </p>
      )}
      {drift.length ? (
        <ul className="drift-list" aria-label="Drift">
          {drift.map((d) => (
            <li key={d.id}>
              <strong>Drift:</strong>{" "}
              <Link to="/findings/$findingId" params={{ findingId: d.id }}>
                {driftText(d.title)}
              </Link>{" "}
              since <time dateTime={d.first_seen_at}>{formatDate(d.first_seen_at)}</time>{" "}
              <SeverityBadge severity={d.severity} />
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <Link to="/inventory/$resourceId" params={{ resourceId: resource.id }}>
          Inventory: {resourceLabel({ ...resource, name: null })}
        </Link>{" "}
        <span className="muted">
          ({resource.provider} {resource.type}, asset {resource.asset}
          {resource.active ? "" : ", retired"}; linked by {c2c.via.replaceAll("_", " ")})
        </span>
      </p>
    </div>
  );
}

/** Drift findings are titled "Drift: ..."; the line already says so. */
function driftText(title: string): string {
  return title.replace(/^drift:\s*/i, "") || title;
}
