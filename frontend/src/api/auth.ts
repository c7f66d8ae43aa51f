/** Sign-in, sign-out and the current user (/api/v1/auth/{login,oidc/logout,me,password}). */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, unwrap } from "./client";
import type {
  SchemaLoginRequest,
  SchemaMe,
  SchemaPasswordChange,
  SchemaRole,
} from "./generated/schema";

/** The signed-in user as /api/v1/auth/me returns it. */
export type SessionUser = SchemaMe;
export type Role = SchemaRole;

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
};

/** The current user, or null when nobody is signed in (401). */
export const meQuery = queryOptions({
  queryKey: authKeys.me(),
  queryFn: async ({ signal }): Promise<SessionUser | null> => {
    try {
      return await unwrap(api.GET("/api/v1/auth/me", { signal }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  staleTime: 5 * 60 * 1000,
  retry: false,
});

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: SchemaLoginRequest) => {
      await unwrap(api.POST("/api/v1/auth/login", { body: input }));
      // /me is the one shape of "who am I" the app reads (login answers with the user record)
      return unwrap(api.GET("/api/v1/auth/me"));
    },
    onSuccess: (user) => {
      // a new user: nothing cached for the previous one may be shown
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== authKeys.all[0] });
      queryClient.setQueryData(authKeys.me(), user);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    // ends the session (as /auth/logout); after a single sign-on the answer names the
    // provider's sign-out page, where the browser goes next: the page is left, so nothing
    // after this (e.g. a navigation to /login) may run
    mutationFn: async () => {
      const answer = await unwrap(api.POST("/api/v1/auth/oidc/logout"));
      if (answer.end_session_url) {
        window.location.assign(answer.end_session_url);
        await new Promise<never>(() => undefined);
      }
    },
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(authKeys.me(), null);
    },
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: SchemaPasswordChange) => {
      await unwrap(api.POST("/api/v1/auth/password", { body: input }));
      // the routes read "who am I" from the cache (ensureQueryData): it must hold the user as
      // they are now, no longer obliged to change the password, before anything navigates
      return unwrap(api.GET("/api/v1/auth/me"));
    },
    onSuccess: (user) => queryClient.setQueryData(authKeys.me(), user),
  });
}

/** Active users and teams: what assignment accepts (GET /api/v1/auth/directory). */
export const directoryQuery = queryOptions({
  queryKey: [...authKeys.all, "directory"] as const,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/auth/directory", { signal })),
  staleTime: 60 * 1000,
});
