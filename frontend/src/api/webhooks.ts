/** Outgoing webhooks: key factory, query options and mutations (STYLE §12). */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { SchemaWebhookCreate } from "./generated/schema";

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
  eventTypes: () => [...webhookKeys.all, "event-types"] as const,
  deliveries: (id: string) => [...webhookKeys.all, "deliveries", id] as const,
};

export const webhooksQuery = queryOptions({
  queryKey: webhookKeys.list(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/webhooks", { signal })),
});

export const eventTypesQuery = queryOptions({
  queryKey: webhookKeys.eventTypes(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/webhooks/event-types", { signal })),
  staleTime: Number.POSITIVE_INFINITY,
});

export function deliveriesQuery(webhookId: string) {
  return queryOptions({
    queryKey: webhookKeys.deliveries(webhookId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/webhooks/{webhook_id}/deliveries", {
          params: { path: { webhook_id: webhookId }, query: { limit: 50 } },
          signal,
        }),
      ),
    // pending and retrying deliveries change on their own: look again while any waits
    refetchInterval: (query) =>
      query.state.data?.items.some((d) => d.status === "pending" || d.status === "retrying")
        ? 5000
        : false,
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: webhookKeys.all });
}

export function useCreateWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: SchemaWebhookCreate) => unwrap(api.POST("/api/v1/webhooks", { body })),
    onSettled: invalidate,
  });
}

export function useSetWebhookActive() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      unwrap(
        api.PATCH("/api/v1/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id } },
          body: { active },
        }),
      ),
    onSettled: invalidate,
  });
}

export function useDeleteWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: id } } })),
    onSettled: invalidate,
  });
}

export function useSendTest() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/webhooks/{webhook_id}/test", { params: { path: { webhook_id: id } } }),
      ),
    onSettled: invalidate,
  });
}
