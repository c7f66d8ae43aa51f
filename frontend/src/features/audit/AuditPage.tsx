import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useEffect, useState } from "react";
import { auditListQuery } from "../../api/audit";
import type { SchemaAuditEventRead } from "../../api/generated/schema";
import {
  Button,
  DateField,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  Pager,
  SelectField,
  TextField,
} from "../../components/ui";
import { formatDateTime, formatNumber, humanize } from "../../lib/format";
import { AUDIT_PAGE_SIZE, type AuditSearch, OBJECT_TYPES, toAuditQuery } from "./search";
import "../pages.css";

const route = getRouteApi("/app/audit");

type Draft = Required<{ [K in Exclude<keyof AuditSearch, "offset">]: string }>;

function draftOf(search: AuditSearch): Draft {
  return {
    actor: search.actor ?? "",
    action: search.action ?? "",
    object_type: search.object_type ?? "",
    object_id: search.object_id ?? "",
    since: search.since ?? "",
    until: search.until ?? "",
  };
}

/** The append-only audit trail, filtered from the URL (actor, action, object, time). */
export function AuditPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/audit" });
  const { data, error, isPending, isPlaceholderData } = useQuery(
    auditListQuery(toAuditQuery(search)),
  );
  const [draft, setDraft] = useState<Draft>(() => draftOf(search));
  // the URL is the truth: back/forward or a followed link refills the form
  useEffect(() => setDraft(draftOf(search)), [search]);

  const set = (key: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));

  function apply(e: FormEvent) {
    e.preventDefault();
    const next: AuditSearch = {};
    for (const [k, v] of Object.entries(draft) as [keyof Draft, string][]) {
      if (v.trim()) next[k] = v.trim();
    }
    void navigate({ search: next });
  }

  return (
    <>
      <PageHeader title="Audit trail">
        <span className="muted">
          {data ? `${formatNumber(data.total)} events` : ""} · append-only, newest first
        </span>
      </PageHeader>
      <form className="filters" onSubmit={apply} aria-label="Audit filters">
        <div className="filters-row">
          <TextField
            label="Actor"
            placeholder="user:alice"
            value={draft.actor}
            onChange={set("actor")}
          />
          <TextField
            label="Action"
            placeholder="comma-separated, e.g. triaged"
            value={draft.action}
            onChange={set("action")}
          />
          <SelectField
            label="Object type"
            value={draft.object_type}
            placeholder="any"
            options={OBJECT_TYPES.map((t) => ({ value: t, label: humanize(t) }))}
            onChange={set("object_type")}
          />
          <TextField label="Object id" value={draft.object_id} onChange={set("object_id")} />
          <DateField label="From (UTC)" value={draft.since} onChange={set("since")} />
          <DateField label="To (UTC)" value={draft.until} onChange={set("until")} />
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button onClick={() => void navigate({ search: {} })}>Clear</Button>
        </div>
      </form>
      {error ? <ErrorMessage error={error} title="Could not load the audit trail" /> : null}
      {isPending ? <Loading label="Loading events…" /> : null}
      {data && data.items.length === 0 ? (
        <EmptyState>No event matches these filters.</EmptyState>
      ) : null}
      {data && data.items.length > 0 ? (
        <div
          className={`table-scroll ${isPlaceholderData ? "stale" : ""}`}
          aria-busy={isPlaceholderData}
        >
          <table className="data-table" data-testid="audit-table">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Change</th>
                <th scope="col">Reason / details</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((event) => (
                <AuditRow key={event.id} event={event} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? (
        <Pager
          offset={data.offset}
          limit={data.limit || AUDIT_PAGE_SIZE}
          total={data.total}
          onChange={(next) =>
            void navigate({ search: (prev) => ({ ...prev, offset: next || undefined }) })
          }
        />
      ) : null}
    </>
  );
}

/** Time-ordered UUIDs share their first digits: the last ones tell objects apart. */
export function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-8)}` : id;
}

function AuditRow({ event }: { event: SchemaAuditEventRead }) {
  const details = Object.entries(event.details ?? {});
  return (
    <tr data-testid="audit-row">
      <td>{formatDateTime(event.at)}</td>
      <td>
        <Link to="/audit" search={{ actor: event.actor }}>
          {event.actor}
        </Link>
      </td>
      <td>{humanize(event.action)}</td>
      <td className="wrap">
        {humanize(event.object_type)}{" "}
        {event.object_type === "finding" ? (
          <Link
            to="/findings/$findingId"
            params={{ findingId: event.object_id }}
            className="id"
            title={event.object_id}
          >
            {shortId(event.object_id)}
          </Link>
        ) : (
          <Link
            to="/audit"
            search={{ object_type: event.object_type, object_id: event.object_id }}
            title={event.object_id}
            className="id"
          >
            {shortId(event.object_id)}
          </Link>
        )}
      </td>
      <td>
        {event.from_value || event.to_value ? (
          <>
            {event.from_value ?? "–"} → <strong>{event.to_value ?? "–"}</strong>
          </>
        ) : (
          "–"
        )}
      </td>
      <td className="wrap">
        {event.reason ? <div>{event.reason}</div> : null}
        {details.length > 0 ? (
          <div className="muted small">
            {details
              .map(([k, v]) => `${humanize(k)}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
              .join(" · ")}
          </div>
        ) : null}
      </td>
    </tr>
  );
}
