/** Saved views of the triage queue (each person's own): key factory, query, mutations. */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { SchemaSavedViewCreate } from "./generated/schema";

export const viewKeys = {
  all: ["views"] as const,
  list: () => [...viewKeys.all, "list"] as const,
};

export const savedViewsQuery = queryOptions({
  queryKey: viewKeys.list(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/views", { signal })),
  staleTime: 60_000,
});

export function useSaveView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SchemaSavedViewCreate) => unwrap(api.POST("/api/v1/views", { body })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: viewKeys.all }),
  });
}

export function useDeleteView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/views/{view_id}", { params: { path: { view_id: id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: viewKeys.all }),
  });
}
