import { createRoute } from "@tanstack/react-router";
import { AdminPage } from "../features/admin/AdminPage";
import { appRoute } from "./_app";

export const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "admin",
  component: AdminPage,
});
