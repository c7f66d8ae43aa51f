import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { PageHeader } from "../../components/ui";
import { canManageRules } from "../auth/pagePermissions";
import { useCurrentUser } from "../auth/useCurrentUser";
import { OwnershipRules } from "./OwnershipRules";
import { SuppressionRules } from "./SuppressionRules";
import "../pages.css";

const route = getRouteApi("/app/rules");

export function RulesPage() {
  const user = useCurrentUser();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/rules" });
  const canManage = canManageRules(user);
  return (
    <>
      <PageHeader title="Rules" />
      <div className="stack">
        <SuppressionRules
          canManage={canManage}
          showEnded={Boolean(search.ended)}
          onShowEnded={(on) => void navigate({ search: { ended: on || undefined }, replace: true })}
        />
        <OwnershipRules canManage={canManage} />
      </div>
    </>
  );
}
