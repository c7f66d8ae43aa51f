/** Administration (admins only): users, teams and API tokens. Key factory, queries, mutations. */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { directoryQuery } from "./auth";
import { api, unwrap } from "./client";
import type { SchemaTokenCreate, SchemaUserCreate, SchemaUserUpdate } from "./generated/schema";

export const adminKeys = {
  all: ["admin"] as const,
  users: () => [...adminKeys.all, "users"] as const,
  teams: () => [...adminKeys.all, "teams"] as const,
  tokens: () => [...adminKeys.all, "tokens"] as const,
};

export const usersQuery = queryOptions({
  queryKey: adminKeys.users(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/users", { signal })),
});

export const teamsQuery = queryOptions({
  queryKey: adminKeys.teams(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/teams", { signal })),
});

export const tokensQuery = queryOptions({
  queryKey: adminKeys.tokens(),
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/tokens", { signal })),
});

/** Users, teams and tokens read each other (members, token owners): refresh all three, and the
 * assignment pickers' directory. */
function useInvalidateAdmin() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: adminKeys.all }),
      queryClient.invalidateQueries({ queryKey: directoryQuery.queryKey }),
    ]);
}

export function useCreateUser() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: (body: SchemaUserCreate) => unwrap(api.POST("/api/v1/users", { body })),
    onSettled: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: SchemaUserUpdate }) =>
      unwrap(api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: id } }, body })),
    onSettled: invalidate,
  });
}

/** A generated one-time password, in the answer only. */
export function useResetPassword() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/users/{user_id}/reset-password", { params: { path: { user_id: id } } }),
      ),
    onSettled: invalidate,
  });
}

export function useCreateTeam() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST("/api/v1/teams", { body: { name } })),
    onSettled: invalidate,
  });
}

export function useTeamMember() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: ({ team, username, add }: { team: string; username: string; add: boolean }) => {
      const params = { params: { path: { team, username } } };
      return unwrap(
        add
          ? api.PUT("/api/v1/teams/{team}/members/{username}", params)
          : api.DELETE("/api/v1/teams/{team}/members/{username}", params),
      );
    },
    onSettled: invalidate,
  });
}

export function useCreateToken() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: (body: SchemaTokenCreate) => unwrap(api.POST("/api/v1/tokens", { body })),
    onSettled: invalidate,
  });
}

export function useRevokeToken() {
  const invalidate = useInvalidateAdmin();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: id } } })),
    onSettled: invalidate,
  });
}
