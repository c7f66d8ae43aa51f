import { createRoute } from "@tanstack/react-router";
import { FindingPage } from "../features/findings/FindingPage";
import { appRoute } from "./_app";

export const findingRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "findings/$findingId",
  component: FindingPage,
});
