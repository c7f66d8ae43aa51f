import { createRoute } from "@tanstack/react-router";
import { PosturePage } from "../features/posture/PosturePage";
import { postureSearchSchema } from "../features/posture/search";
import { appRoute } from "./_app";

export const postureRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "posture",
  validateSearch: (search) => postureSearchSchema.parse(search),
  component: PosturePage,
});
