import { createRoute } from "@tanstack/react-router";
import { ResourcePage } from "../features/inventory/ResourcePage";
import { appRoute } from "./_app";

export const resourceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "inventory/$resourceId",
  component: ResourcePage,
});
