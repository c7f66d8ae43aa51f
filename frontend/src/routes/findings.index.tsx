import { createRoute } from "@tanstack/react-router";
import { FindingsQueuePage } from "../features/findings/FindingsQueuePage";
import { findingSearchSchema } from "../features/findings/search";
import { appRoute } from "./_app";

export const findingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "findings",
  validateSearch: (search) => findingSearchSchema.parse(search),
  component: FindingsQueuePage,
});
