/**
 * A saved view is the triage queue's URL search string (`severity=critical&team=mine`): the
 * same text a shared link carries. These helpers turn the router's search object into that text
 * and back, so a view opens exactly as the link would.
 */
import { defaultParseSearch, defaultStringifySearch } from "@tanstack/react-router";
import { type FindingSearch, findingSearchSchema } from "../findings/search";

/** Where a list stands is not part of a view (the server drops these too). */
const PAGING = new Set(["offset", "after", "page"]);

export function viewQuery(search: Record<string, unknown>): string {
  const kept = Object.fromEntries(
    Object.entries(search).filter(([k, v]) => !PAGING.has(k) && v !== undefined),
  );
  // commas stay readable (`severity=critical,high`), as the server stores them
  return defaultStringifySearch(kept).replace(/^\?/, "").replace(/%2C/gi, ",");
}

export function viewSearch(query: string): FindingSearch {
  return findingSearchSchema.parse(defaultParseSearch(query ? `?${query}` : ""));
}

/** The absolute link that opens the view for anyone who may read the queue. */
export function viewLink(query: string, origin = window.location.origin): string {
  return `${origin}/findings${query ? `?${query}` : ""}`;
}
