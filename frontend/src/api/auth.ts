/** Sign-in, sign-out and the current user (auth contract: /api/v1/auth/{login,logout,me}). */
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, request } from "./client";

/** The signed-in user as /api/v1/auth/me and /api/v1/auth/login return it. */
export interface SessionUser {
  id: string;
  username: string;
  display_name: string;
  role: "admin" | "security_lead" | "engineer" | "viewer";
  teams: string[];
}

export type Role = SessionUser["role"];

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
};

/** The current user, or null when nobody is signed in (401). */
export const meQuery = queryOptions({
  queryKey: authKeys.me(),
  queryFn: async (): Promise<SessionUser | null> => {
    try {
      return await request<SessionUser>("GET", "/api/v1/auth/me");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  staleTime: 5 * 60 * 1000,
  retry: false,
});

export interface LoginInput {
  username: string;
  password: string;
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: LoginInput) =>
      request<SessionUser>("POST", "/api/v1/auth/login", { body: input }),
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
    mutationFn: () => request<unknown>("POST", "/api/v1/auth/logout"),
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(authKeys.me(), null);
    },
  });
}
