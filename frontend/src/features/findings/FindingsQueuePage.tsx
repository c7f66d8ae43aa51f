import { useQuery } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useState } from "react";
import { findingListQuery } from "../../api/findings";
import {
  Button,
  Dialog,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  SelectField,
} from "../../components/ui";
import { formatNumber } from "../../lib/format";
import { canBulkTriage } from "../auth/permissions";
import { useCurrentUser } from "../auth/useCurrentUser";
import { SuppressedNotice } from "../rules/SuppressedNotice";
import { SaveViewButton } from "../views/SaveViewButton";
import { BulkActionBar, type BulkSelection } from "./BulkActions";
import { CursorPager, formatTotal } from "./CursorPager";
import { FindingFilters, SEARCH_FIELD_ID } from "./FindingFilters";
import { FindingsTable } from "./FindingsTable";
import {
  DEFAULT_PAGE_SIZE,
  exportHref,
  type FindingSearch,
  type FindingView,
  toBulkFilter,
  toListQuery,
} from "./search";
import { useListKeyboard } from "./useListKeyboard";

const VIEWS: { value: FindingView; label: string; hint: string }[] = [
  { value: "open", label: "Open", hint: "still detected, not decided by triage, not suppressed" },
  { value: "closed", label: "Closed", hint: "fixed, accepted, false positive, won't fix" },
  { value: "all", label: "All", hint: "every finding ever seen" },
];

export const SHORTCUTS: [string, string][] = [
  ["/", "search"],
  ["j or ↓", "next finding"],
  ["k or ↑", "previous finding"],
  ["Enter", "open the finding"],
  ["x", "select the finding (bulk actions)"],
  ["?", "this list"],
];

const route = getRouteApi("/app/findings");

/** The most findings one bulk action may change (the server's limit: all or nothing). */
const MAX_BULK = 5000;

const SORT_OPTIONS = [
  { value: "risk:desc", label: "Risk, highest first" },
  { value: "priority:desc", label: "Priority, then due date" },
  { value: "severity:desc", label: "Severity" },
  { value: "first_seen:desc", label: "Newest first" },
  { value: "first_seen:asc", label: "Oldest first" },
  { value: "last_seen:desc", label: "Recently seen" },
  { value: "title:asc", label: "Title" },
];

function sortValue(search: FindingSearch): string {
  const value = `${search.sort ?? "risk"}:${search.asc ? "asc" : "desc"}`;
  return SORT_OPTIONS.some((o) => o.value === value) ? value : "risk:desc";
}

/** The security lead's home: open work by risk (closed and all one click away), filtered from the
 * URL, with bulk triage and exports of the same selection. */
export function FindingsQueuePage() {
  const user = useCurrentUser();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/findings" });
  const query = useMemo(() => toListQuery(search), [search]);
  const { data, error, isPending, isPlaceholderData } = useQuery(findingListQuery(query));
  const items = data?.items ?? [];

  const [selected, setSelected] = useState<Set<string>>(new Set());
  // every finding the filters select (not only the chosen rows), for a bulk action by filter
  const [allMatching, setAllMatching] = useState(false);
  const [active, setActive] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const bulkAllowed = canBulkTriage(user);
  const view = search.view ?? "open";

  // `/` jumps to the search box, `?` lists the shortcuts (not while typing in a field)
  useEffect(() => {
    function onKeyDown(e: KeyboardEvent) {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [role=dialog], [contenteditable=true]")) return;
      if (e.key === "/") {
        e.preventDefault();
        document.getElementById(SEARCH_FIELD_ID)?.focus();
      } else if (e.key === "?") {
        e.preventDefault();
        setHelp(true);
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  // a new page or filter starts at its first row
  const pageKey = JSON.stringify(query);
  useEffect(() => {
    void pageKey;
    setActive(0);
  }, [pageKey]);

  // other filters: a different selection
  const {
    offset: _offset,
    limit: _limit,
    sort: _sort,
    asc: _asc,
    after: _after,
    page: _page,
    ...filters
  } = search;
  const filterKey = JSON.stringify(filters);
  useEffect(() => {
    void filterKey;
    setSelected(new Set());
    setAllMatching(false);
  }, [filterKey]);
  // the cursors of the pages before this one (a cursor only goes forwards), from page 1 on;
  // another filter or sort starts again
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  const orderKey = `${filterKey}|${search.sort}|${search.asc}|${search.limit}`;
  useEffect(() => {
    void orderKey;
    setTrail([]);
  }, [orderKey]);
  const bulkFilter = useMemo(() => toBulkFilter(search), [search]);
  const total = data?.total ?? 0;
  const pageAllSelected = items.length > 0 && items.every((f) => selected.has(f.id));
  const selection: BulkSelection | null = allMatching
    ? { kind: "filter", filter: bulkFilter, count: total }
    : selected.size > 0
      ? { kind: "ids", ids: [...selected] }
      : null;

  const setSearch = useCallback(
    (patch: Partial<FindingSearch>, keepPage = false) =>
      navigate({
        search: (prev) => ({
          ...prev,
          ...(keepPage ? {} : { offset: undefined, after: undefined, page: undefined }),
          ...patch,
        }),
      }),
    [navigate],
  );

  const toggle = useCallback(
    (id: string) =>
      setSelected((s) => {
        const next = new Set(s);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );

  useListKeyboard({
    count: items.length,
    active,
    setActive,
    onOpen: (i) => {
      const f = items[i];
      if (f) void navigate({ to: "/findings/$findingId", params: { findingId: f.id } });
    },
    onToggle: (i) => {
      const f = items[i];
      if (f && bulkAllowed) toggle(f.id);
    },
  });

  return (
    <>
      <PageHeader title="Triage queue">
        <span className="muted">
          {data
            ? `${formatTotal(data.total, data.total_capped)} ${view === "all" ? "" : `${view} `}findings`
            : ""}{" "}
          ·{" "}
          <button type="button" className="link-button" onClick={() => setHelp(true)}>
            keyboard shortcuts (?)
          </button>
        </span>
        <div className="page-header-end">
          <SaveViewButton search={search} />
          <nav className="exports" aria-label="Export these findings">
            <span className="muted small">Export:</span>
            {(["csv", "xlsx", "sarif"] as const).map((format) => (
              <a
                key={format}
                href={exportHref(search, format)}
                download
                data-testid={`export-${format}`}
              >
                {format.toUpperCase()}
              </a>
            ))}
          </nav>
          <SelectField
            label="Sort by"
            name="sort"
            value={sortValue(search)}
            options={SORT_OPTIONS}
            onChange={(e) => {
              const [sort, dir] = e.target.value.split(":");
              void setSearch({
                sort: sort === "risk" ? undefined : (sort as FindingSearch["sort"]),
                asc: dir === "asc" ? true : undefined,
              });
            }}
          />
        </div>
      </PageHeader>
      <fieldset className="toggle-group view-switch" data-testid="queue-view">
        <legend>Show</legend>
        {VIEWS.map((v) => (
          <button
            key={v.value}
            type="button"
            className={`toggle ${view === v.value ? "toggle-on" : ""}`}
            aria-pressed={view === v.value}
            title={v.hint}
            onClick={() => void setSearch({ view: v.value === "open" ? undefined : v.value })}
          >
            {v.label}
          </button>
        ))}
      </fieldset>
      {search.import_id ? (
        <p className="notice" data-testid="import-filter">
          Showing what one import changed (created, resolved or reopened).{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => void setSearch({ import_id: undefined })}
          >
            Show every finding
          </button>
        </p>
      ) : null}
      <FindingFilters search={search} onChange={(patch) => void setSearch(patch)} />
      {data ? (
        <SuppressedNotice count={data.suppressed_total} capped={data.suppressed_total_capped} />
      ) : null}
      {help ? (
        <Dialog title="Keyboard shortcuts" open onClose={() => setHelp(false)}>
          <dl className="shortcuts">
            {SHORTCUTS.map(([key, what]) => (
              <div key={key}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
          <div className="dialog-actions">
            <Button onClick={() => setHelp(false)}>Close</Button>
          </div>
        </Dialog>
      ) : null}
      {notice ? (
        <div className="notice" role="status">
          {notice}{" "}
          <button type="button" className="link-button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {bulkAllowed && selection ? (
        <BulkActionBar
          selection={selection}
          onDone={(message) => {
            setSelected(new Set());
            setAllMatching(false);
            setNotice(message);
          }}
        >
          {allMatching ? (
            <Button size="sm" variant="ghost" onClick={() => setAllMatching(false)}>
              Only the chosen rows
            </Button>
          ) : pageAllSelected && total > items.length ? (
            total <= MAX_BULK ? (
              <Button size="sm" variant="ghost" onClick={() => setAllMatching(true)}>
                Select all {formatNumber(total)} matching
              </Button>
            ) : (
              <span className="muted small">
                narrow the filters to act on all matching (at most {formatNumber(MAX_BULK)})
              </span>
            )
          ) : null}
        </BulkActionBar>
      ) : null}
      {error ? <ErrorMessage error={error} title="Could not load findings" /> : null}
      {isPending ? <Loading label="Loading findings…" /> : null}
      {data && items.length === 0 ? (
        <EmptyState>
          {view === "open"
            ? "No open finding matches these filters."
            : "No finding matches these filters."}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <div className={isPlaceholderData ? "stale" : undefined} aria-busy={isPlaceholderData}>
          <FindingsTable
            caption="Findings, highest risk first"
            findings={items}
            active={active}
            onActivate={setActive}
            selected={bulkAllowed ? selected : undefined}
            onToggle={bulkAllowed ? toggle : undefined}
            onToggleAll={(on) =>
              setSelected((s) => {
                const next = new Set(s);
                for (const f of items) {
                  if (on) next.add(f.id);
                  else next.delete(f.id);
                }
                return next;
              })
            }
          />
        </div>
      ) : null}
      {data ? (
        <CursorPager
          from={
            search.after
              ? ((search.page ?? 1) - 1) * (data.limit || DEFAULT_PAGE_SIZE) + 1
              : (search.offset ?? 0) + 1
          }
          shown={items.length}
          total={data.total}
          totalCapped={data.total_capped}
          hasNext={Boolean(data.next_cursor)}
          hasPrevious={trail.length > 0}
          onNext={() => {
            const limit = data.limit || DEFAULT_PAGE_SIZE;
            const page = search.after
              ? (search.page ?? 1)
              : Math.floor((search.offset ?? 0) / limit) + 1;
            setTrail((t) => [...t, search.after]);
            void setSearch({ after: data.next_cursor ?? undefined, page: page + 1 });
          }}
          onPrevious={() => {
            const before = trail.at(-1);
            setTrail((t) => t.slice(0, -1));
            const page = Math.max(1, (search.page ?? 2) - 1);
            void setSearch(before ? { after: before, page } : {});
          }}
          onFirst={() => {
            setTrail([]);
            void setSearch({});
          }}
        />
      ) : null}
    </>
  );
}
