import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { type FindingListQuery, findingListQuery } from "../../api/findings";
import { EmptyState, ErrorMessage, Loading, PageHeader, Section } from "../../components/ui";
import { FindingsTable } from "./FindingsTable";
import { useListKeyboard } from "./useListKeyboard";

const OPEN = ["new", "confirmed", "in_progress"] as const;

/** Open work (still detected, not closed by triage) assigned to me, then my teams': most urgent first. */
const MINE: FindingListQuery = {
  assignee: "me",
  triage: [...OPEN],
  status: ["active"],
  sort: "priority",
  descending: true,
  limit: 100,
  offset: 0,
};
const TEAM: FindingListQuery = {
  team: "mine",
  triage: [...OPEN],
  status: ["active"],
  sort: "priority",
  descending: true,
  limit: 100,
  offset: 0,
};

export function MyFindingsPage() {
  return (
    <>
      <PageHeader title="My findings">
        <span className="muted">open work by priority and due date · j/k move, Enter opens</span>
      </PageHeader>
      <FindingSection
        title="Assigned to me"
        query={MINE}
        empty="Nothing is assigned to you."
        queue={{ assignee: "me" }}
        keyboard
      />
      <FindingSection
        title="My teams"
        query={TEAM}
        empty="Your teams have no open findings."
        queue={{ team: "mine" }}
      />
    </>
  );
}

function FindingSection({
  title,
  query,
  empty,
  queue,
  keyboard = false,
}: {
  title: string;
  query: FindingListQuery;
  empty: string;
  /** the same list in the triage queue (every page, every filter) */
  queue: { assignee?: string; team?: string };
  keyboard?: boolean;
}) {
  const navigate = useNavigate();
  const { data, error, isPending } = useQuery(findingListQuery(query));
  // the server orders by priority, then the earliest due date, then risk
  const items = data?.items ?? [];
  const [active, setActive] = useState(0);
  useListKeyboard({
    count: keyboard ? items.length : 0,
    active,
    setActive,
    onOpen: (i) => {
      const f = items[i];
      if (f) void navigate({ to: "/findings/$findingId", params: { findingId: f.id } });
    },
    onToggle: () => undefined,
  });
  const more = data && data.total > items.length ? ` (first ${items.length} of ${data.total})` : "";
  return (
    <Section
      title={`${title}${data ? ` · ${data.total}` : ""}${more}`}
      actions={
        <Link to="/findings" search={{ ...queue, status: "active", triage: OPEN.join(",") }}>
          Open in the triage queue
        </Link>
      }
    >
      {isPending ? <Loading /> : null}
      {error ? <ErrorMessage error={error} /> : null}
      {data && items.length === 0 ? <EmptyState>{empty}</EmptyState> : null}
      {items.length ? (
        <FindingsTable
          caption={title}
          findings={items}
          active={keyboard ? active : undefined}
          onActivate={keyboard ? setActive : undefined}
        />
      ) : null}
    </Section>
  );
}
