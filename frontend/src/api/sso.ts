/** Single sign-on: what the login page offers (GET /api/v1/auth/options). */
import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { SchemaSignInOptionsRead } from "./generated/schema";

export type SignInOptions = SchemaSignInOptionsRead;

/** When the server cannot say (an older server, an error), the password form is offered. */
export const FALLBACK_OPTIONS: SignInOptions = { local_login: true, sso: null };

export const signInOptionsQuery = queryOptions({
  queryKey: ["auth", "options"] as const,
  queryFn: async ({ signal }): Promise<SignInOptions> => {
    try {
      return await unwrap(api.GET("/api/v1/auth/options", { signal }));
    } catch {
      return FALLBACK_OPTIONS;
    }
  },
  staleTime: 5 * 60 * 1000,
  retry: false,
});

/** The provider's answer, as the login page explains it (`?sso_error=` from the callback). */
export const SSO_ERRORS: Record<string, string> = {
  no_role: "Your groups at the identity provider give you no role here. Ask an administrator.",
  deactivated: "Your account here is deactivated. Ask an administrator.",
  state_mismatch: "That sign-in answer was not for this browser. Please try again.",
  no_flow: "The sign-in took too long or was started in another browser. Please try again.",
  expired_token: "The identity provider's answer had expired. Check your clock, then try again.",
  bad_token: "The identity provider's answer could not be verified. Please try again.",
  token_refused: "The identity provider refused to complete the sign-in. Please try again.",
  provider_refused: "The sign-in was cancelled or refused at the identity provider.",
  provider_unreachable: "The identity provider cannot be reached right now.",
  provider_error: "The identity provider answered in a way this server does not accept.",
  username_taken: "No username could be given to your account. Ask an administrator.",
  not_configured: "Single sign-on is not set up correctly on this server.",
  conflict: "Your groups would leave this server without an active administrator. Ask one.",
};

export function ssoErrorMessage(code: string | undefined): string | null {
  if (!code) return null;
  return SSO_ERRORS[code] ?? "Single sign-on failed. Please try again.";
}

/** The URL that starts signing in at the provider, coming back to `next` (a path here). */
export function ssoLoginHref(loginUrl: string, next: string | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) {
    return loginUrl;
  }
  return `${loginUrl}?${new URLSearchParams({ next }).toString()}`;
}
