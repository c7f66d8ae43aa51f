import { type FormEvent, useState } from "react";
import { useBulkAction } from "../../api/findings";
import type { SchemaBulkRequest } from "../../api/generated/schema";
import { Button, DateField, Dialog, ErrorMessage, TextAreaField } from "../../components/ui";
import { formatNumber } from "../../lib/format";
import { CreateTicketsButton } from "../integrations/CreateTicketsButton";
import { endOfDayIso, todayPlus } from "./dates";
import { AssigneeField, useDirectory } from "./PeopleFields";
import type { BulkFilter } from "./search";

/** Chosen rows by id, or every finding a filter selects (the server resolves it, all or nothing). */
export type BulkSelection =
  | { kind: "ids"; ids: readonly string[] }
  | { kind: "filter"; filter: BulkFilter; count: number };

export function selectionSize(selection: BulkSelection): number {
  return selection.kind === "ids" ? selection.ids.length : selection.count;
}

/** What the bar offers; each maps to one POST /api/v1/findings/bulk (assign, or triage to a state). */
export type BulkChoice = "assign" | "confirm" | "accept_risk" | "false_positive";

const ACTIONS: { action: BulkChoice; label: string; title: string }[] = [
  { action: "assign", label: "Assign…", title: "Assign findings" },
  { action: "confirm", label: "Confirm…", title: "Confirm findings" },
  { action: "accept_risk", label: "Accept risk…", title: "Accept the risk" },
  { action: "false_positive", label: "False positive…", title: "Mark as false positive" },
];

/** The bar shown while rows are selected; each action asks for its details and one justification. */
export function BulkActionBar({
  selection,
  onDone,
  children,
}: {
  selection: BulkSelection;
  onDone: (message: string) => void;
  /** extra controls (e.g. "select all matching") */
  children?: React.ReactNode;
}) {
  const size = selectionSize(selection);
  const [action, setAction] = useState<BulkChoice | null>(null);
  const current = ACTIONS.find((a) => a.action === action);
  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      <span>
        <strong>{formatNumber(size)}</strong>
        {selection.kind === "filter" ? " matching the filters" : ""} selected
      </span>
      {ACTIONS.map((a) => (
        <Button key={a.action} size="sm" onClick={() => setAction(a.action)}>
          {a.label}
        </Button>
      ))}
      <CreateTicketsButton selection={selection} onDone={onDone} />
      {current ? (
        <BulkDialog
          key={current.action}
          action={current.action}
          title={`${current.title} (${formatNumber(size)})`}
          selection={selection}
          onClose={() => setAction(null)}
          onDone={(n) => {
            setAction(null);
            onDone(`${current.title}: ${n} finding${n === 1 ? "" : "s"} updated.`);
          }}
        />
      ) : null}
      {children}
    </section>
  );
}

function BulkDialog({
  action,
  title,
  selection,
  onClose,
  onDone,
}: {
  action: BulkChoice;
  title: string;
  selection: BulkSelection;
  onClose: () => void;
  onDone: (updated: number) => void;
}) {
  const bulk = useBulkAction();
  const [justification, setJustification] = useState("");
  const [assignee, setAssignee] = useState("");
  const [expires, setExpires] = useState(todayPlus(90));
  const directory = useDirectory();
  const assigneeError = action === "assign" ? directory.userError(assignee) : null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (assigneeError) return;
    const result = await bulk
      .mutateAsync(bulkRequest(action, selection, justification, { assignee, expires }))
      .catch(() => null);
    if (result) onDone(result.changed);
  }

  return (
    <Dialog title={title} open onClose={onClose}>
      <form onSubmit={onSubmit} className="stack">
        {action === "assign" ? (
          <AssigneeField
            required
            value={assignee}
            onChange={setAssignee}
            error={assigneeError}
            placeholder="search by name"
          />
        ) : null}
        {action === "accept_risk" ? (
          <DateField
            label="Accepted until"
            required
            min={todayPlus(1)}
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            hint="The acceptance expires at the end of this day (UTC); the findings then reopen."
          />
        ) : null}
        <TextAreaField
          label={action === "false_positive" ? "Why is this a false positive?" : "Justification"}
          required
          minLength={3}
          rows={3}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
        />
        {bulk.error ? <ErrorMessage error={bulk.error} title="Not applied" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={bulk.isPending || Boolean(assigneeError)}
          >
            {bulk.isPending ? "Applying…" : `Apply to ${formatNumber(selectionSize(selection))}`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The bulk request for one choice of the bar: one justification for every selected finding. */
export function bulkRequest(
  action: BulkChoice,
  selection: BulkSelection,
  justification: string,
  extra: { assignee?: string; expires?: string } = {},
): SchemaBulkRequest {
  const base =
    selection.kind === "ids"
      ? { ids: [...selection.ids], reason: justification.trim() }
      : { filter: selection.filter, reason: justification.trim() };
  switch (action) {
    case "assign":
      return { ...base, action: "assign", assignee: extra.assignee?.trim() || null };
    case "confirm":
      return { ...base, action: "triage", state: "confirmed" };
    case "accept_risk":
      return {
        ...base,
        action: "triage",
        state: "accepted_risk",
        expires_at: extra.expires ? endOfDayIso(extra.expires) : null,
      };
    case "false_positive":
      return { ...base, action: "triage", state: "false_positive" };
  }
}
