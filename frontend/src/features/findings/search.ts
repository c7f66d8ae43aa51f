/**
 * The triage queue's URL search params (validated by the route with zod) and their mapping to
 * GET /api/v1/findings. Multi-value filters are comma lists (`?severity=critical,high`), so a
 * link stays readable and shareable.
 */
import { z } from "zod";
import type { FindingListQuery } from "../../api/findings";
import {
  environmentValues,
  findingSortValues,
  priorityFilterValues,
  type SchemaBulkRequest,
  type SchemaEnvironment,
  type SchemaFindingSort,
  type SchemaPriorityFilter,
} from "../../api/generated/schema";

/** The router JSON-parses search values (`?q=123` arrives as a number): take any scalar as text. */
const text = z.preprocess(
  (v) => (v === null || v === undefined || v === "" ? undefined : String(v)),
  z.string().max(200).optional(),
);
const int = (max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? undefined : Number(v)),
    z.number().int().min(0).max(max).optional(),
  );

/** Which findings the queue shows: open work (the default), the closed ones, or every one. */
export const FINDING_VIEWS = ["open", "closed", "all"] as const;
export type FindingView = (typeof FINDING_VIEWS)[number];

export const findingSearchSchema = z.object({
  view: z.enum(FINDING_VIEWS).optional().catch(undefined),
  import_id: z.string().uuid().optional().catch(undefined),
  q: text.catch(undefined),
  priority: text.catch(undefined),
  severity: text.catch(undefined),
  triage: text.catch(undefined),
  status: text.catch(undefined),
  sla: text.catch(undefined),
  tool: text.catch(undefined),
  category: text.catch(undefined),
  asset: text.catch(undefined),
  environment: text.catch(undefined),
  team: text.catch(undefined),
  assignee: text.catch(undefined),
  sort: z
    .enum(findingSortValues as unknown as [SchemaFindingSort, ...SchemaFindingSort[]])
    .optional()
    .catch(undefined),
  asc: z.boolean().optional().catch(undefined),
  /** in a toxic combination (true) or not (false); absent: both */
  toxic: z.boolean().optional().catch(undefined),
  /** keyset cursor of the page shown (the API's `next_cursor` of the page before) */
  after: z.string().max(1000).optional().catch(undefined),
  /** its page number (1 first), for "51–100" */
  page: int(10_000_000).catch(undefined),
  /** older links page by offset: still honoured */
  offset: int(10_000_000).catch(undefined),
  limit: int(500).catch(undefined),
});

export type FindingSearch = z.infer<typeof findingSearchSchema>;

export const DEFAULT_PAGE_SIZE = 50;

export function splitList(value: string | undefined): string[] {
  return value ? value.split(",").filter(Boolean) : [];
}

export function joinList(values: readonly string[]): string | undefined {
  return values.length ? values.join(",") : undefined;
}

/** Only the filter keys (not sort, paging or the view). */
export const FILTER_KEYS = [
  "import_id",
  "q",
  "priority",
  "severity",
  "triage",
  "status",
  "sla",
  "tool",
  "category",
  "asset",
  "environment",
  "team",
  "assignee",
  "toxic",
] as const satisfies readonly (keyof FindingSearch)[];

export function hasFilters(search: FindingSearch): boolean {
  return FILTER_KEYS.some((k) => search[k] !== undefined);
}

export function toListQuery(search: FindingSearch): FindingListQuery {
  const list = <T extends string>(v: string | undefined) => splitList(v) as T[];
  const query: FindingListQuery = {
    sort: search.sort ?? "risk",
    descending: !search.asc,
    limit: search.limit ?? DEFAULT_PAGE_SIZE,
  };
  // the cursor pages (an index range however deep); an offset only from an older link
  if (search.after) query.after = search.after;
  else query.offset = search.offset ?? 0;
  const view = search.view ?? "open";
  if (view !== "all") query.open = view === "open";
  if (search.import_id) query.import_id = search.import_id;
  if (search.q) query.q = search.q;
  if (search.tool) query.tool = search.tool;
  if (search.category) query.category = search.category;
  if (search.asset) query.asset = search.asset;
  if (search.team) query.team = search.team;
  if (search.assignee) query.assignee = search.assignee;
  if (search.toxic !== undefined) query.toxic = search.toxic;
  const severity = list<NonNullable<FindingListQuery["severity"]>[number]>(search.severity);
  if (severity.length) query.severity = severity;
  const triage = list<NonNullable<FindingListQuery["triage"]>[number]>(search.triage);
  if (triage.length) query.triage = triage;
  const status = list<NonNullable<FindingListQuery["status"]>[number]>(search.status);
  if (status.length) query.status = status;
  // only values the API knows: a hand-edited `?priority=P9` must not fail the whole request
  const priority = splitList(search.priority).filter((v): v is SchemaPriorityFilter =>
    (priorityFilterValues as readonly string[]).includes(v),
  );
  if (priority.length) query.priority = priority;
  const environment = splitList(search.environment).filter((v): v is SchemaEnvironment =>
    (environmentValues as readonly string[]).includes(v),
  );
  if (environment.length) query.environment = environment;
  const sla = list<NonNullable<FindingListQuery["sla_status"]>[number]>(search.sla);
  if (sla.length) query.sla_status = sla;
  return query;
}

/** A bulk action's filter: the findings list's own filter (FindingQuery on the server). */
export type BulkFilter = NonNullable<SchemaBulkRequest["filter"]>;

/**
 * The same selection as a bulk action's filter (the server resolves `me` and `mine` for the
 * signed-in user, as for the list).
 */
export function toBulkFilter(search: FindingSearch): BulkFilter {
  const q = toListQuery(search);
  // a variable, not a literal: it type-checks against the schema before and after `suppressed`
  const filter = {
    assignee: q.assignee ?? null,
    team: q.team ?? null,
    asset: q.asset ?? null,
    category: q.category ?? null,
    q: q.q ?? null,
    tool: q.tool ?? null,
    severity: q.severity ?? [],
    status: q.status ?? [],
    triage: q.triage ?? [],
    priority: q.priority ?? [],
    environment: q.environment ?? [],
    sla_status: q.sla_status ?? [],
    open: q.open ?? null,
    import_id: q.import_id ?? null,
    suppressed: "exclude" as const, // as the queue: findings hidden by suppression rules stay out
    ...(q.toxic === undefined ? {} : { toxic: q.toxic }),
  };
  return filter;
}

/** GET /api/v1/exports/findings for the queue's current filters and sort: a download link. */
export function exportHref(search: FindingSearch, format: "csv" | "xlsx" | "sarif"): string {
  const q = toListQuery(search);
  const params = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(q)) {
    if (key === "limit" || key === "offset" || key === "after") continue;
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  return `/api/v1/exports/findings?${params.toString()}`;
}
