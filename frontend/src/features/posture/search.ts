/** The posture page's URL search params: the period (held in the URL, so a view is a link). */
import { z } from "zod";

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

export const postureSearchSchema = z.object({
  period: z.enum(periodValues).optional().catch(undefined),
});

export type PostureSearch = z.infer<typeof postureSearchSchema>;

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
