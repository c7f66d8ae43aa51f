/** Tickets in Jira and GitHub Issues: key factory, query options and mutations (STYLE §12). */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { SchemaCredentialsUpdate, SchemaTicketCreate } from "./generated/schema";

export const ticketKeys = {
  all: ["tickets"] as const,
  forFinding: (findingId: string) => [...ticketKeys.all, "finding", findingId] as const,
  settings: () => [...ticketKeys.all, "settings"] as const,
};

export function findingTicketsQuery(findingId: string) {
  return queryOptions({
    queryKey: ticketKeys.forFinding(findingId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/tickets", {
          params: { query: { finding_id: findingId, limit: 20 } },
          signal,
        }),
      ),
    // a pending ticket is created by the job queue: look again until it is there
    refetchInterval: (query) =>
      query.state.data?.items.some((t) => t.status === "pending") ? 2000 : false,
  });
}

export const ticketSettingsQuery = queryOptions({
  queryKey: ticketKeys.settings(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/tickets/settings", { signal })),
});

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ticketKeys.all });
}

export function useCreateTickets() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: SchemaTicketCreate) => unwrap(api.POST("/api/v1/tickets", { body })),
    onSettled: invalidate,
  });
}

export function useRetryTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/tickets/{ticket_id}/retry", { params: { path: { ticket_id: id } } }),
      ),
    onSettled: invalidate,
  });
}

export function useSetTrackerCredentials() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ name, body }: { name: string; body: SchemaCredentialsUpdate }) =>
      unwrap(
        api.PUT("/api/v1/tickets/trackers/{name}/credentials", {
          params: { path: { name } },
          body,
        }),
      ),
    onSettled: invalidate,
  });
}
