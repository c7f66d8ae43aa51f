import type { SchemaDetectionRead } from "../../api/generated/schema";
import { Badge } from "../../components/ui";
import { formatDateTime, humanize } from "../../lib/format";
import { SeverityBadge } from "./Badges";
import { CodeLocation, RuleLink } from "./CodeLink";

function resourceLabel(d: SchemaDetectionRead): string {
  if (d.account_id || d.region || d.resource?.startsWith("arn:")) return "Cloud resource";
  if (d.category === "iac" || d.path) return "IaC resource";
  return "Resource";
}

/** Where a detection points: file lines, an IaC resource, or a cloud resource. */
export function DetectionLocation({ d }: { d: SchemaDetectionRead }) {
  const parts: React.ReactNode[] = [];
  if (d.path) {
    parts.push(
      <div key="file">
        <span className="label">File</span> <CodeLocation d={d} />
      </div>,
    );
  }
  if (d.resource) {
    parts.push(
      <div key="resource">
        <span className="label">{resourceLabel(d)}</span> <code>{d.resource}</code>
        {d.resource_type ? <span className="muted"> ({d.resource_type})</span> : null}
      </div>,
    );
  }
  if (d.cloud_provider || d.account_id || d.region) {
    parts.push(
      <div key="cloud" className="muted">
        {[d.cloud_provider?.toUpperCase(), d.account_id && `account ${d.account_id}`, d.region]
          .filter(Boolean)
          .join(" · ")}
      </div>,
    );
  }
  if (!parts.length)
    parts.push(
      <span key="none" className="muted">
        no location in the report
      </span>,
    );
  return <>{parts}</>;
}

/** Every detection of a finding, from every tool. Snippets arrive already redacted. */
export function DetectionList({ detections }: { detections: readonly SchemaDetectionRead[] }) {
  return (
    <ul className="detections">
      {detections.map((d) => (
        <li key={d.id} className="detection">
          <div className="detection-head">
            <strong>{d.tool}</strong> <RuleLink d={d} /> <SeverityBadge severity={d.severity} />
            {d.raw_severity ? (
              <span className="muted small"> (tool said {d.raw_severity})</span>
            ) : null}{" "}
            <Badge tone={d.active ? "warn" : "ok"}>
              {d.active ? "still detected" : "no longer detected"}
            </Badge>
            {d.suppressed ? <Badge tone="neutral">suppressed by the tool</Badge> : null}
            {d.secret_verified ? <Badge tone="critical">verified live secret</Badge> : null}
          </div>
          <div className="detection-title">{d.title}</div>
          <DetectionLocation d={d} />
          {d.snippet ? <pre className="snippet">{d.snippet}</pre> : null}
          {d.secret_preview ? (
            <div>
              <span className="label">Secret</span> <code>{d.secret_preview}</code>
            </div>
          ) : null}
          <div className="muted small">
            {humanize(d.category)} · first seen {formatDateTime(d.first_seen_at)} · last seen{" "}
            {formatDateTime(d.last_seen_at)}
          </div>
        </li>
      ))}
    </ul>
  );
}
