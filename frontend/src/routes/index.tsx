import { createRoute, redirect } from "@tanstack/react-router";
import { homeFor } from "../features/auth/permissions";
import { appRoute } from "./_app";

/** `/` sends each user to their role's home page. */
export const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: ({ context }) => {
    throw redirect({ to: homeFor(context.user.role) });
  },
});
