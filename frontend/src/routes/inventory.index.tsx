import { createRoute } from "@tanstack/react-router";
import { InventoryPage } from "../features/inventory/InventoryPage";
import { inventorySearchSchema } from "../features/inventory/search";
import { appRoute } from "./_app";

export const inventoryRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "inventory",
  validateSearch: (search) => inventorySearchSchema.parse(search),
  component: InventoryPage,
});
