/** Findings: key factory, query options and mutations (STYLE §12). */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, request, unwrap } from "./client";
import type { paths, SchemaFindingDetail, SchemaTriageState } from "./generated/schema";

type GeneratedListQuery = NonNullable<paths["/api/v1/findings"]["get"]["parameters"]["query"]>;

/**
 * Filters of GET /api/v1/findings. The generated part is the source of truth; the rest are the
 * workflow contract's filters, listed here until they are in the generated schema.
 */
export type FindingListQuery = GeneratedListQuery & {
  priority?: string[];
  environment?: string[];
};

export const findingKeys = {
  all: ["findings"] as const,
  lists: () => [...findingKeys.all, "list"] as const,
  list: (q: FindingListQuery) => [...findingKeys.lists(), q] as const,
  detail: (id: string) => [...findingKeys.all, "detail", id] as const,
  history: (id: string) => [...findingKeys.all, "history", id] as const,
  comments: (id: string) => [...findingKeys.all, "comments", id] as const,
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
        api.GET("/api/v1/findings/{finding_id}", {
          params: { path: { finding_id: id } },
          signal,
        }),
      ),
  });
}

/** Optimistic-concurrency version of a finding, when the API gives one. */
export function findingVersion(
  finding: SchemaFindingDetail | { version?: unknown },
): number | undefined {
  const v = (finding as { version?: unknown }).version;
  return typeof v === "number" ? v : undefined;
}

// ---- workflow contract (POST triage/assign/comments/bulk, GET history) ----

export interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  object_type?: string;
  object_id?: string;
  from_value?: string | null;
  to_value?: string | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

export interface FindingComment {
  id: string;
  author: string;
  body: string;
  created_at: string;
}

export interface TriageInput {
  state: SchemaTriageState;
  reason?: string;
  expires_at?: string;
  approver?: string;
  version?: number;
}

export interface AssignInput {
  assignee?: string | null;
  team?: string | null;
  version?: number;
}

export type BulkAction = "assign" | "confirm" | "accept_risk" | "false_positive";

export interface BulkInput {
  ids: string[];
  action: BulkAction;
  justification: string;
  assignee?: string;
  team?: string;
  expires_at?: string;
}

export interface BulkResult {
  updated: number;
}

function listOf<T>(data: unknown): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === "object" && "items" in data && Array.isArray(data.items)) {
    return data.items as T[];
  }
  return [];
}

export function findingHistoryQuery(id: string) {
  return queryOptions({
    queryKey: findingKeys.history(id),
    queryFn: async () =>
      listOf<AuditEvent>(await request<unknown>("GET", `/api/v1/findings/${id}/history`)),
  });
}

export function findingCommentsQuery(id: string) {
  return queryOptions({
    queryKey: findingKeys.comments(id),
    queryFn: async () =>
      listOf<FindingComment>(await request<unknown>("GET", `/api/v1/findings/${id}/comments`)),
  });
}

function useInvalidateFindings() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: findingKeys.all });
}

export function useTriageFinding(id: string) {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (input: TriageInput) =>
      request<unknown>("POST", `/api/v1/findings/${id}/triage`, { body: input }),
    onSettled: invalidate,
  });
}

export function useAssignFinding(id: string) {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (input: AssignInput) =>
      request<unknown>("POST", `/api/v1/findings/${id}/assign`, { body: input }),
    onSettled: invalidate,
  });
}

export function useAddComment(id: string) {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (body: string) =>
      request<FindingComment>("POST", `/api/v1/findings/${id}/comments`, { body: { body } }),
    onSettled: invalidate,
  });
}

export function useBulkAction() {
  const invalidate = useInvalidateFindings();
  return useMutation({
    mutationFn: (input: BulkInput) =>
      request<BulkResult>("POST", "/api/v1/findings/bulk", { body: input }),
    onSettled: invalidate,
  });
}
