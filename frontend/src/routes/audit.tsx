import { createRoute } from "@tanstack/react-router";
import { AuditPage } from "../features/audit/AuditPage";
import { auditSearchSchema } from "../features/audit/search";
import { appRoute } from "./_app";

export const auditRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "audit",
  validateSearch: (search) => auditSearchSchema.parse(search),
  component: AuditPage,
});
