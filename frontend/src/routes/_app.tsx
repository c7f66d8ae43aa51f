import { createRoute, redirect } from "@tanstack/react-router";
import { meQuery } from "../api/auth";
import { AppLayout } from "../components/layout/AppLayout";
import { rootRoute } from "./__root";

/** Every signed-in page hangs under this layout route; it sends anonymous visitors to /login. */
export const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ context, location }) => {
    const user = await context.queryClient.ensureQueryData(meQuery);
    if (!user) {
      throw redirect({ to: "/login", search: { redirect: location.href } });
    }
    if (user.must_change_password) throw redirect({ to: "/password" });
    return { user };
  },
  component: AppLayout,
});
