import { useQuery } from "@tanstack/react-query";
import { Link, useLocation } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { savedViewsQuery, useDeleteView } from "../../api/views";
import { viewQuery, viewSearch } from "./savedViews";

/**
 * The signed-in person's saved views in the main navigation: a disclosure listing each view as a
 * link to the queue with its filters (and a way to delete it).
 */
export function SavedViewsNav() {
  const { data } = useQuery(savedViewsQuery);
  const remove = useDeleteView();
  const ref = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  const here =
    location.pathname === "/findings"
      ? viewQuery(viewSearch(location.searchStr.replace(/^\?/, "")))
      : null;

  // following a view closes the list
  useEffect(() => {
    void location.href;
    if (ref.current) ref.current.open = false;
  }, [location.href]);

  return (
    <details className="nav-views" ref={ref} data-testid="saved-views">
      <summary>Saved views{data && data.length > 0 ? ` (${data.length})` : ""}</summary>
      <div className="nav-views-panel">
        {data && data.length === 0 ? (
          <p className="small">
            None yet: filter the triage queue, then <strong>Save view</strong>.
          </p>
        ) : null}
        <ul>
          {data?.map((v) => (
            <li key={v.id}>
              <Link
                to="/findings"
                search={viewSearch(v.query)}
                aria-current={here === viewQuery(viewSearch(v.query)) ? "page" : undefined}
              >
                {v.name}
              </Link>
              <button
                type="button"
                className="link-button small"
                aria-label={`Delete view ${v.name}`}
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Delete the view "${v.name}"?`)) remove.mutate(v.id);
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}
