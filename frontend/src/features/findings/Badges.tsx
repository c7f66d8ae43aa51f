import type {
  SchemaSeverity,
  SchemaSlaStatus,
  SchemaTriageState,
} from "../../api/generated/schema";
import { Badge, type Tone } from "../../components/ui";
import { formatDue, humanize } from "../../lib/format";

export function SeverityBadge({ severity }: { severity: SchemaSeverity }) {
  return (
    <Badge tone={severity} title={`Severity: ${severity}`}>
      {severity}
    </Badge>
  );
}

const PRIORITY_TONE: Record<string, Tone> = { P1: "critical", P2: "high", P3: "medium", P4: "low" };

export function PriorityBadge({ priority }: { priority: string | null | undefined }) {
  if (!priority) {
    return (
      <Badge tone="neutral" title="Below every priority threshold, or not scored yet">
        –
      </Badge>
    );
  }
  return (
    <Badge tone={PRIORITY_TONE[priority] ?? "neutral"} title={`Priority ${priority}`}>
      {priority}
    </Badge>
  );
}

const TRIAGE_TONE: Partial<Record<SchemaTriageState, Tone>> = {
  new: "info",
  confirmed: "warn",
  in_progress: "warn",
  false_positive: "neutral",
  accepted_risk: "neutral",
  wont_fix: "neutral",
};

export function TriageBadge({ state }: { state: SchemaTriageState }) {
  return <Badge tone={TRIAGE_TONE[state] ?? "neutral"}>{humanize(state)}</Badge>;
}

const SLA_TONE = { overdue: "critical", due_soon: "warn", on_track: "ok" } as const;

/**
 * The SLA as the server judges it (`sla_status`: only open, still-detected findings with a due
 * date have one), with the due date in words.
 */
export function SlaBadge({
  status,
  dueAt,
  now,
}: {
  status: SchemaSlaStatus | null | undefined;
  dueAt: string | null | undefined;
  now?: Date;
}) {
  if (!status) {
    return (
      <span className="muted" title="No SLA: closed, fixed or without a due date">
        –
      </span>
    );
  }
  return (
    <Badge tone={SLA_TONE[status]} title={dueAt ? `SLA due ${dueAt}` : humanize(status)}>
      {dueAt ? formatDue(dueAt, now) : humanize(status)}
    </Badge>
  );
}
