import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { postureSearchSchema } from "../features/posture/search";
import { appRoute } from "./_app";

export const postureRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "posture",
  validateSearch: (search) => postureSearchSchema.parse(search),
  // the chart library is loaded only when the posture page is opened
  component: lazyRouteComponent(() => import("../features/posture/PosturePage"), "PosturePage"),
});
