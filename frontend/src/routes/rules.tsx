import { createRoute } from "@tanstack/react-router";
import { z } from "zod";
import { RulesPage } from "../features/rules/RulesPage";
import { appRoute } from "./_app";

const rulesSearch = z.object({ ended: z.boolean().optional().catch(undefined) });

export const rulesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "rules",
  validateSearch: (search) => rulesSearch.parse(search),
  component: RulesPage,
});
