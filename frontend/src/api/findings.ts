/** Findings and their workflow: key factory, query options and mutations (STYLE §12). */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type {
  paths,
  SchemaAssignRequest,
  SchemaBulkRequest,
  SchemaTriageRequest,
} from "./generated/schema";

type GeneratedListQuery = NonNullable<paths["/api/v1/findings"]["get"]["parameters"]["query"]>;

/** Filters, sort and paging of GET /api/v1/findings. */
export type FindingListQuery = GeneratedListQuery;

export const findingKeys = {
  all: ["findings"] as const,
  lists: () => [...findingKeys.all, "list"] as const,
  list: (q: FindingListQuery) => [...findingKeys.lists(), q] as const,
  detail: (id: string) => [...findingKeys.all, "detail", id] as const,
  history: (id: string) => [...findingKeys.all, "history", id] as const,
  comments: (id: string) => [...findingKeys.all, "comments", id] as const,
  acceptance: (id: string) => [...findingKeys.all, "acceptance", id] as const,
};

export function findingListQuery(q: FindingListQuery) {
  return queryOptions({
    queryKey: findingKeys.list(q),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/findings", { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function findingDetailQuery(id: string) {
  return queryOptions({
    queryKey: findingKeys.detail(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/findings/{finding_id}", { params: { path: { finding_id: id } }, signal }),
      ),
  });
}

export function findingHistoryQuery(id: string) {
  return queryOptions({
    queryKey: findingKeys.history(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/findings/{finding_id}/history", {
          params: { path: { finding_id: id }, query: { limit: 500 } },
          signal,
        }),
      ),
  });
}

export function findingCommentsQuery(id: string) {
  return queryOptions({
    queryKey: findingKeys.comments(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/findings/{finding_id}/comments", {
          params: { path: { finding_id: id }, query: { limit: 500 } },
          signal,
        }),
      ),
  });
}

/** The risk acceptance in force (justification, approver, expiry), or null. */
export function findingAcceptanceQuery(id: string) {
  return queryOptions({
    queryKey: findingKeys.acceptance(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/findings/{finding_id}/risk-acceptance", {
          params: { path: { finding_id: id } },
          signal,
        }),
      ),
  });
}

/**
 * The finding's asset, for its owner team: an engineer of that team may act on the finding.
 * (Same key as the assets domain's detail, so both share one cache entry.)
 */
export function findingAssetQuery(name: string) {
  return queryOptions({
    queryKey: ["assets", "detail", name] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/assets/{name}", { params: { path: { name } }, signal })),
    staleTime: 5 * 60 * 1000,
  });
}

function useInvalidateFindings() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: findingKeys.all });
}

export function useTriageFinding(id: string) {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (body: SchemaTriageRequest) =>
      unwrap(
        api.POST("/api/v1/findings/{finding_id}/triage", {
          params: { path: { finding_id: id } },
          body,
        }),
      ),
    onSettled: invalidate,
  });
}

export function useAssignFinding(id: string) {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (body: SchemaAssignRequest) =>
      unwrap(
        api.POST("/api/v1/findings/{finding_id}/assign", {
          params: { path: { finding_id: id } },
          body,
        }),
      ),
    onSettled: invalidate,
  });
}

export function useAddComment(id: string) {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (text: string) =>
      unwrap(
        api.POST("/api/v1/findings/{finding_id}/comments", {
          params: { path: { finding_id: id } },
          body: { body: text },
        }),
      ),
    onSettled: invalidate,
  });
}

export function useBulkAction() {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (body: SchemaBulkRequest) => unwrap(api.POST("/api/v1/findings/bulk", { body })),
    onSettled: invalidate,
  });
}
