/** Assets and their context: key factory, query options and the edit mutation (STYLE §12). */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { SchemaAssetWrite } from "./generated/schema";

export const assetKeys = {
  all: ["assets"] as const,
  list: () => [...assetKeys.all, "list"] as const,
  detail: (name: string) => [...assetKeys.all, "detail", name] as const,
};

export const assetListQuery = queryOptions({
  queryKey: assetKeys.list(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/assets", { signal })),
});

/** Replace one asset's context (PUT /assets/{name}); its findings are re-scored by the server. */
export function useUpdateAsset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, body }: { name: string; body: SchemaAssetWrite }) =>
      unwrap(api.PUT("/api/v1/assets/{name}", { params: { path: { name } }, body })),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: assetKeys.all }),
        // re-scored findings change the risk figures
        queryClient.invalidateQueries({ queryKey: ["findings"] }),
        queryClient.invalidateQueries({ queryKey: ["metrics"] }),
      ]),
  });
}
