/**
 * What the signed-in user may do, mirroring the server's rule (the server decides; the UI only
 * hides what would be refused): admin and security_lead act on everything; an engineer acts on
 * findings of their teams or assigned to them; a viewer only reads.
 */
import type { Role, SessionUser } from "../../api/auth";

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  security_lead: "Security lead",
  engineer: "Engineer",
  viewer: "Viewer",
};

/**
 * Where `/` (and signing in) sends each role: engineers to their own findings, viewers
 * (leadership) to the posture overview, the security team to the triage queue.
 */
export function homeFor(role: Role): "/findings" | "/my" | "/posture" {
  if (role === "engineer") return "/my";
  if (role === "viewer") return "/posture";
  return "/findings";
}

export interface FindingScope {
  assignee?: string | null;
  team?: string | null;
  owner_team?: string | null;
}

export function isLead(user: Pick<SessionUser, "role">): boolean {
  return user.role === "admin" || user.role === "security_lead";
}

/** May this user triage, assign or comment on this finding? */
export function canActOnFinding(
  user: Pick<SessionUser, "role" | "username" | "teams">,
  finding: FindingScope,
): boolean {
  if (isLead(user)) return true;
  if (user.role !== "engineer") return false;
  if (finding.assignee && finding.assignee === user.username) return true;
  const teams = new Set(user.teams);
  return Boolean(
    (finding.team && teams.has(finding.team)) ||
      (finding.owner_team && teams.has(finding.owner_team)),
  );
}

/**
 * Bulk actions over the queue are for the security team: a bulk change is atomic, and a
 * selection across teams would be refused for an engineer as a whole.
 */
export function canBulkTriage(user: Pick<SessionUser, "role">): boolean {
  return isLead(user);
}
