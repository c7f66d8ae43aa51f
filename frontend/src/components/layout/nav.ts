import type { Role } from "../../api/auth";

export interface NavItem {
  to:
    | "/findings"
    | "/my"
    | "/posture"
    | "/assets"
    | "/inventory"
    | "/imports"
    | "/rules"
    | "/audit"
    | "/webhooks"
    | "/admin";
  label: string;
  /** roles that see the entry; all roles when absent */
  roles?: readonly Role[];
}

/** The main navigation, in order. A new page adds its entry here (and widens `to`). */
export const NAV_ITEMS: readonly NavItem[] = [
  { to: "/findings", label: "Triage queue" },
  { to: "/my", label: "My findings", roles: ["admin", "security_lead", "engineer"] },
  { to: "/posture", label: "Posture" },
  { to: "/assets", label: "Assets" },
  { to: "/inventory", label: "Inventory" },
  { to: "/imports", label: "Imports" },
  { to: "/rules", label: "Rules" },
  { to: "/audit", label: "Audit" },
  { to: "/webhooks", label: "Webhooks", roles: ["admin", "security_lead"] },
  { to: "/admin", label: "Admin", roles: ["admin"] },
];

export function navFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.roles || item.roles.includes(role));
}
