/** The imports page's URL search params: history filters (asset, tool, status) and paging. */
import { z } from "zod";

export const IMPORT_STATUSES = ["queued", "running", "ok", "error"] as const;

const text = z.string().trim().min(1).max(200).optional();

export const importSearchSchema = z.object({
  asset: text.catch(undefined),
  tool: text.catch(undefined),
  status: z.enum(IMPORT_STATUSES).optional().catch(undefined),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional().catch(undefined),
});

export type ImportSearch = z.infer<typeof importSearchSchema>;

export const IMPORT_PAGE_SIZE = 25;
