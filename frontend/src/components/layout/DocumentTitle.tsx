import { useRouterState } from "@tanstack/react-router";
import { useEffect, useSyncExternalStore } from "react";
import { NAV_ITEMS } from "./nav";

const APP = "ASPM";
/** Pages outside the main navigation, by path. */
const OTHER_PAGES: Record<string, string> = {
  "/login": "Sign in",
  "/password": "Choose your password",
};
/** A record's own page under a navigation entry (`/findings/<id>`), by that entry. */
const DETAIL_PAGES: Record<string, string> = {
  "/findings": "Finding",
  "/inventory": "Resource",
};

/** The page's name for a path: its navigation label, or the name of a page outside it. */
export function pageTitle(pathname: string): string {
  const path = pathname.replace(/\/+$/, "") || "/";
  const other = OTHER_PAGES[path];
  if (other) return other;
  const [, first = "", rest] = path.split("/");
  const section = `/${first}`;
  const item = NAV_ITEMS.find((n) => n.to === section);
  if (item && rest) return DETAIL_PAGES[section] ?? item.label;
  if (item) return item.label;
  return path === "/" ? APP : "Not found";
}

// what a record's page adds (a finding's title): one at a time, the page that shows it
let detail: string | null = null;
const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function setDetail(next: string | null) {
  detail = next;
  for (const l of listeners) l();
}

/** A record's page names itself in the tab title (the finding's title), while it shows. */
export function usePageTitle(title: string | null | undefined) {
  useEffect(() => {
    setDetail(title || null);
    return () => setDetail(null);
  }, [title]);
}

/** Sets document.title from the route (and a record page's own title): "Posture · ASPM". */
export function DocumentTitle() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const extra = useSyncExternalStore(subscribe, () => detail);
  useEffect(() => {
    const page = pageTitle(pathname);
    const parts = [extra, page === APP ? null : page, APP].filter(Boolean);
    document.title = parts.join(" · ");
  }, [pathname, extra]);
  return null;
}
