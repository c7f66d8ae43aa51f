/**
 * The audit page's URL search params (every filter is in the link) and their mapping to
 * GET /api/v1/audit. Dates are whole UTC days: `since` from its start, `until` through its end.
 */
import { z } from "zod";
import type { AuditQuery } from "../../api/audit";

const text = (max: number) =>
  z.preprocess(
    (v) => (v === null || v === undefined || v === "" ? undefined : String(v)),
    z.string().max(max).optional(),
  );
const day = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
);

export const auditSearchSchema = z.object({
  actor: text(200).catch(undefined),
  action: text(500).catch(undefined),
  object_type: text(50).catch(undefined),
  object_id: z.uuid().optional().catch(undefined),
  since: day.catch(undefined),
  until: day.catch(undefined),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional().catch(undefined),
});

export type AuditSearch = z.infer<typeof auditSearchSchema>;

export const AUDIT_PAGE_SIZE = 50;

/** Object types the backend audits (the filter also takes any other value typed in the URL). */
export const OBJECT_TYPES = [
  "finding",
  "asset",
  "suppression_rule",
  "ownership_rule",
  "risk_policy",
  "user",
  "team",
  "token",
] as const;

function nextDay(isoDay: string): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function toAuditQuery(search: AuditSearch): AuditQuery {
  const query: AuditQuery = { limit: AUDIT_PAGE_SIZE, offset: search.offset ?? 0 };
  if (search.actor) query.actor = search.actor;
  if (search.object_type) query.object_type = search.object_type;
  if (search.object_id) query.object_id = search.object_id;
  const actions = (search.action ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  if (actions.length) query.action = actions;
  if (search.since) query.since = `${search.since}T00:00:00Z`;
  if (search.until) query.until = `${nextDay(search.until)}T00:00:00Z`;
  return query;
}
