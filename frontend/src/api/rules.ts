/** Suppression and ownership rules: key factory, query options and mutations (STYLE §12). */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type {
  SchemaOwnershipRuleCreate,
  SchemaSuppressionCriteria,
  SchemaSuppressionRuleCreate,
} from "./generated/schema";

export const ruleKeys = {
  all: ["rules"] as const,
  suppression: (includeEnded: boolean) => [...ruleKeys.all, "suppression", includeEnded] as const,
  ownership: () => [...ruleKeys.all, "ownership"] as const,
  hidden: (ruleId: string) => [...ruleKeys.all, "hidden", ruleId] as const,
  preview: (criteria: SchemaSuppressionCriteria) => [...ruleKeys.all, "preview", criteria] as const,
};

/** The findings one suppression rule hides now, highest risk first. */
export function suppressedFindingsQuery(ruleId: string) {
  return queryOptions({
    queryKey: ruleKeys.hidden(ruleId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/suppression-rules/{rule_id}/findings", {
          params: { path: { rule_id: ruleId }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

/** What a rule with these criteria would hide if saved now (a read: nothing is saved). */
export function suppressionPreviewQuery(criteria: SchemaSuppressionCriteria) {
  return queryOptions({
    queryKey: ruleKeys.preview(criteria),
    queryFn: ({ signal }) =>
      unwrap(api.POST("/api/v1/suppression-rules/preview", { body: criteria, signal })),
    staleTime: 0,
  });
}

export function suppressionRulesQuery(includeEnded: boolean) {
  return queryOptions({
    queryKey: ruleKeys.suppression(includeEnded),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/suppression-rules", {
          params: { query: { include_ended: includeEnded } },
          signal,
        }),
      ),
  });
}

export const ownershipRulesQuery = queryOptions({
  queryKey: ruleKeys.ownership(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/ownership-rules", { signal })),
});

/** Rules change which findings are hidden or owned: refresh those too. */
function useInvalidateRules() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ruleKeys.all }),
      queryClient.invalidateQueries({ queryKey: ["findings"] }),
    ]);
}

export function useCreateSuppressionRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: (body: SchemaSuppressionRuleCreate) =>
      unwrap(api.POST("/api/v1/suppression-rules", { body })),
    onSettled: invalidate,
  });
}

export function useRemoveSuppressionRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason?: string }) =>
      unwrap(
        api.DELETE("/api/v1/suppression-rules/{rule_id}", {
          params: { path: { rule_id: id }, query: reason ? { reason } : {} },
        }),
      ),
    onSettled: invalidate,
  });
}

export function useCreateOwnershipRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: (body: SchemaOwnershipRuleCreate) =>
      unwrap(api.POST("/api/v1/ownership-rules", { body })),
    onSettled: invalidate,
  });
}

export function useRemoveOwnershipRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/ownership-rules/{rule_id}", { params: { path: { rule_id: id } } }),
      ),
    onSettled: invalidate,
  });
}
