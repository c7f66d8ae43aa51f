import { createRoute } from "@tanstack/react-router";
import { MyFindingsPage } from "../features/findings/MyFindingsPage";
import { appRoute } from "./_app";

export const myFindingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "my",
  component: MyFindingsPage,
});
