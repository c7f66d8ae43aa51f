import { createRoute } from "@tanstack/react-router";
import { WebhooksPage } from "../features/integrations/WebhooksPage";
import { appRoute } from "./_app";

export const webhooksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "webhooks",
  component: WebhooksPage,
});
