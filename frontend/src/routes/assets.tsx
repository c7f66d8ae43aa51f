import { createRoute } from "@tanstack/react-router";
import { AssetsPage } from "../features/assets/AssetsPage";
import { appRoute } from "./_app";

export const assetsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "assets",
  component: AssetsPage,
});
