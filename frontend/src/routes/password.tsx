import { createRoute, redirect } from "@tanstack/react-router";
import { meQuery } from "../api/auth";
import { ChangePasswordPage } from "../features/auth/ChangePasswordPage";
import { rootRoute } from "./__root";

export const passwordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "password",
  beforeLoad: async ({ context }) => {
    const user = await context.queryClient.ensureQueryData(meQuery);
    if (!user) throw redirect({ to: "/login", search: {} });
    // only a one-time password must be replaced here; anyone else goes home (a reload after
    // the change no longer lands on this form)
    if (!user.must_change_password) throw redirect({ to: "/" });
  },
  component: ChangePasswordPage,
});
