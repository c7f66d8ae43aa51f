import {
  type SchemaSeverity,
  type SchemaSlaStatus,
  type SchemaTriageState,
  severityValues,
  slaStatusValues,
  triageStateValues,
} from "../api/generated/schema";

export const SEVERITIES = severityValues;
export const TRIAGE_STATES = triageStateValues;

/** Priorities the default risk policy assigns (the API gives `priority` as a string, or null). */
export const PRIORITIES = ["P1", "P2", "P3", "P4"] as const;

/** SLA states the findings API filters on (`sla_status=`). */
export const SLA_STATUSES = slaStatusValues;
export type SlaStatus = SchemaSlaStatus;

export function severityRank(severity: SchemaSeverity): number {
  return SEVERITIES.indexOf(severity);
}

/** States in which a finding no longer needs work. */
export const CLOSED_TRIAGE_STATES: ReadonlySet<SchemaTriageState> = new Set([
  "false_positive",
  "accepted_risk",
  "wont_fix",
]);
