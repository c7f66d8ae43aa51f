import { createRoute, redirect } from "@tanstack/react-router";
import { z } from "zod";
import { meQuery } from "../api/auth";
import { LoginPage } from "../features/auth/LoginPage";
import { rootRoute } from "./__root";

const loginSearch = z.object({
  redirect: z.string().optional().catch(undefined),
  // why a single sign-on came back here (GET /api/v1/auth/oidc/callback)
  sso_error: z.string().max(40).optional().catch(undefined),
});

export const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "login",
  validateSearch: (search) => loginSearch.parse(search),
  beforeLoad: async ({ context }) => {
    const user = await context.queryClient.ensureQueryData(meQuery);
    if (user) throw redirect({ to: "/" });
  },
  component: LoginPage,
});
