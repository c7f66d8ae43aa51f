/** The resource inventory (read only): key factory and query options (STYLE §12). */
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { paths } from "./generated/schema";

export type ResourceQuery = NonNullable<paths["/api/v1/resources"]["get"]["parameters"]["query"]>;

export const resourceKeys = {
  all: ["resources"] as const,
  list: (q: ResourceQuery) => [...resourceKeys.all, "list", q] as const,
  detail: (id: string) => [...resourceKeys.all, "detail", id] as const,
};

export function resourceListQuery(q: ResourceQuery) {
  return queryOptions({
    queryKey: resourceKeys.list(q),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/resources", { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function resourceDetailQuery(id: string) {
  return queryOptions({
    queryKey: resourceKeys.detail(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/resources/{resource_id}", {
          params: { path: { resource_id: id } },
          signal,
        }),
      ),
  });
}
