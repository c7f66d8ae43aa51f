/** The imports page's URL search params: history paging and status filter. */
import { z } from "zod";

export const importSearchSchema = z.object({
  status: z.enum(["ok", "error"]).optional().catch(undefined),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional().catch(undefined),
});

export type ImportSearch = z.infer<typeof importSearchSchema>;

export const IMPORT_PAGE_SIZE = 25;
