import { createRoute } from "@tanstack/react-router";
import { ImportsPage } from "../features/imports/ImportsPage";
import { importSearchSchema } from "../features/imports/search";
import { appRoute } from "./_app";

export const importsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "imports",
  validateSearch: (search) => importSearchSchema.parse(search),
  component: ImportsPage,
});
