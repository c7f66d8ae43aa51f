/** The audit trail (read only): key factory and query options (STYLE §12). */
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { paths } from "./generated/schema";

export type AuditQuery = NonNullable<paths["/api/v1/audit"]["get"]["parameters"]["query"]>;

export const auditKeys = {
  all: ["audit"] as const,
  list: (q: AuditQuery) => [...auditKeys.all, "list", q] as const,
};

export function auditListQuery(q: AuditQuery) {
  return queryOptions({
    queryKey: auditKeys.list(q),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/audit", { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}
