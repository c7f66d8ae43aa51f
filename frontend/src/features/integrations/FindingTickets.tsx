import { useQuery } from "@tanstack/react-query";
import type { SchemaTicketRead } from "../../api/generated/schema";
import { findingTicketsQuery, useCreateTickets, useRetryTicket } from "../../api/tickets";
import { Badge, Button, ErrorMessage, Loading, Section, type Tone } from "../../components/ui";
import { formatDateTime } from "../../lib/format";

const STATUS_TONE: Record<SchemaTicketRead["status"], Tone> = {
  pending: "neutral",
  open: "warn",
  closed: "ok",
  failed: "critical",
};

/** The finding's ticket in Jira or GitHub Issues (key, link, status), or a "Create ticket" button. */
export function FindingTicketsSection({
  findingId,
  canCreate,
  canRetry,
}: {
  findingId: string;
  canCreate: boolean;
  canRetry: boolean;
}) {
  const { data, error, isPending } = useQuery(findingTicketsQuery(findingId));
  const create = useCreateTickets();
  const retry = useRetryTicket();
  const tickets = data?.items ?? [];
  const live = tickets.some((t) => t.status === "pending" || t.status === "open");
  return (
    <Section
      title="Ticket"
      actions={
        canCreate && data && !live ? (
          <Button
            size="sm"
            disabled={create.isPending}
            onClick={() => create.mutate({ ids: [findingId] })}
          >
            Create ticket
          </Button>
        ) : null
      }
    >
      {isPending ? <Loading /> : null}
      {error ? <ErrorMessage error={error} title="Could not load the ticket" /> : null}
      {create.error ? <ErrorMessage error={create.error} title="No ticket was made" /> : null}
      {retry.error ? <ErrorMessage error={retry.error} title="Not retried" /> : null}
      {data && tickets.length === 0 ? <p className="muted">No ticket yet.</p> : null}
      {tickets.map((t) => (
        <TicketFacts
          key={t.id}
          ticket={t}
          onRetry={canRetry && t.status === "failed" ? () => retry.mutate(t.id) : undefined}
        />
      ))}
    </Section>
  );
}

function TicketFacts({ ticket, onRetry }: { ticket: SchemaTicketRead; onRetry?: () => void }) {
  const last = ticket.operations[ticket.operations.length - 1];
  const waiting = last && (last.status === "retrying" || last.status === "failed");
  return (
    <div className="ticket" data-testid="finding-ticket">
      <p>
        {ticket.url ? (
          <a href={ticket.url} target="_blank" rel="noreferrer noopener" data-testid="ticket-key">
            {ticket.key}
          </a>
        ) : (
          <span className="muted">{ticket.tracker}: being created…</span>
        )}{" "}
        <Badge tone={STATUS_TONE[ticket.status]}>
          <span data-testid="ticket-status">{ticket.status}</span>
        </Badge>{" "}
        {ticket.wont_do ? (
          <Badge tone="high" title="Closed in the tracker as won't do; triage is unchanged">
            won't do
          </Badge>
        ) : null}
      </p>
      <dl className="facts">
        <dt>Tracker</dt>
        <dd>
          {ticket.tracker} · {ticket.project}
        </dd>
        {ticket.tracker_status ? (
          <>
            <dt>In the tracker</dt>
            <dd>
              {ticket.tracker_status}
              {ticket.resolution ? ` (${ticket.resolution})` : ""}
            </dd>
          </>
        ) : null}
        {ticket.due_date ? (
          <>
            <dt>Due</dt>
            <dd>{ticket.due_date}</dd>
          </>
        ) : null}
        {ticket.finding_ids.length > 1 ? (
          <>
            <dt>Findings</dt>
            <dd>{ticket.finding_ids.length} in this ticket</dd>
          </>
        ) : null}
        <dt>Asked for</dt>
        <dd>
          {formatDateTime(ticket.created_at)} by {ticket.created_by}
        </dd>
      </dl>
      {waiting ? (
        <p className={last.status === "failed" ? "field-error" : "muted"} role="status">
          {last.action} {last.status === "failed" ? "failed" : "will be retried"}
          {last.error ? `: ${last.error}` : ""}
          {last.next_attempt_at ? ` (next try ${formatDateTime(last.next_attempt_at)})` : ""}
        </p>
      ) : null}
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}
