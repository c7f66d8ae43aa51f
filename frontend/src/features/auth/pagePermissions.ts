/**
 * Who may use the actions of the posture/assets/imports/rules/audit pages, mirroring the server's
 * route access (api/deps.py): uploads are for workers (admin, security lead, engineer); asset
 * context and rules are for leads (admin, security lead). The server decides; the UI hides what
 * it would refuse.
 */
import type { SessionUser } from "../../api/auth";
import { isLead } from "./permissions";

export function canUpload(user: Pick<SessionUser, "role">): boolean {
  return user.role !== "viewer";
}

export function canEditAssets(user: Pick<SessionUser, "role">): boolean {
  return isLead(user);
}

export function canManageRules(user: Pick<SessionUser, "role">): boolean {
  return isLead(user);
}
