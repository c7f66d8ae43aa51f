/**
 * The posture page's URL search params: the period and the scope (team, asset, environment),
 * held in the URL so a view is a link.
 */
import { z } from "zod";
import { environmentValues } from "../../api/generated/schema";

export const PERIODS = [
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "6m", label: "6 months" },
  { value: "1y", label: "1 year" },
] as const;

export type PeriodValue = (typeof PERIODS)[number]["value"];

const periodValues = PERIODS.map((p) => p.value) as [PeriodValue, ...PeriodValue[]];

export const DEFAULT_PERIOD: PeriodValue = "90d";

const name = z.string().trim().min(1).max(200).optional();

export const postureSearchSchema = z.object({
  period: z.enum(periodValues).optional().catch(undefined),
  team: name.catch(undefined),
  asset: name.catch(undefined),
  environment: z
    .enum(environmentValues as [string, ...string[]])
    .optional()
    .catch(undefined),
});

export type PostureSearch = z.infer<typeof postureSearchSchema>;

/** The metrics API's filters for the page's scope: every chart and tile asks with them. */
export interface PostureScope {
  team?: string;
  asset?: string;
  environment?: string;
}

export function scopeOf(search: PostureSearch): PostureScope {
  const scope: PostureScope = {};
  if (search.team) scope.team = search.team;
  if (search.asset) scope.asset = search.asset;
  if (search.environment) scope.environment = search.environment;
  return scope;
}

/** `YYYY-MM-DD` of the day before an ISO instant's UTC day: the previous period's last day. */
export function dayBefore(iso: string): string {
  const d = new Date(iso);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - 1))
    .toISOString()
    .slice(0, 10);
}

/** Bucket size for flow metrics over a period: days for a month, weeks up to 6 months. */
export function intervalFor(period: PeriodValue): "day" | "week" | "month" {
  if (period === "7d" || period === "30d") return "day";
  if (period === "1y") return "month";
  return "week";
}

/** Bucket size for the open-risk level: daily snapshots up to 90 days. */
export function levelIntervalFor(period: PeriodValue): "day" | "week" {
  return period === "6m" || period === "1y" ? "week" : "day";
}
