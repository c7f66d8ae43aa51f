/**
 * The inventory page's URL search params (every filter is in the link) and their mapping to
 * GET /api/v1/resources.
 */
import { z } from "zod";
import type { ResourceQuery } from "../../api/resources";

const text = (max: number) =>
  z.preprocess(
    (v) => (v === null || v === undefined || v === "" ? undefined : String(v)),
    z.string().max(max).optional(),
  );
/** `?managed=true` (or `?drifted=true`) arrives as a boolean from the router, or as a string typed by hand. */
const flag = z.preprocess(
  (v) => (v === "true" ? true : v === "false" ? false : v === "" ? undefined : v),
  z.boolean().optional(),
);

export const inventorySearchSchema = z.object({
  asset: text(200).catch(undefined),
  provider: text(100).catch(undefined),
  type: text(200).catch(undefined),
  managed: flag.catch(undefined),
  has_findings: flag.catch(undefined),
  drifted: flag.catch(undefined),
  retired: flag.catch(undefined),
  q: text(200).catch(undefined),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional().catch(undefined),
});

export type InventorySearch = z.infer<typeof inventorySearchSchema>;

export const INVENTORY_PAGE_SIZE = 50;

export function toResourceQuery(search: InventorySearch): ResourceQuery {
  const query: ResourceQuery = { limit: INVENTORY_PAGE_SIZE, offset: search.offset ?? 0 };
  if (search.asset) query.asset = search.asset;
  if (search.provider) query.provider = search.provider;
  if (search.type) query.type = search.type;
  if (search.managed !== undefined) query.managed = search.managed;
  if (search.has_findings !== undefined) query.has_findings = search.has_findings;
  if (search.drifted !== undefined) query.drifted = search.drifted;
  if (search.retired) query.include_retired = true;
  if (search.q) query.q = search.q;
  return query;
}

/** Any filter set (an empty answer then means "nothing matches", not "nothing imported"). */
export function hasFilters(search: InventorySearch): boolean {
  return Object.entries(search).some(([k, v]) => k !== "offset" && v !== undefined);
}
