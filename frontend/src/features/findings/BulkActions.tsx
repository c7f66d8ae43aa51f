import { type FormEvent, useState } from "react";
import { type BulkAction, type BulkInput, useBulkAction } from "../../api/findings";
import { Button, Dialog, ErrorMessage, TextAreaField, TextField } from "../../components/ui";
import { endOfDayIso, todayPlus } from "./dates";

const ACTIONS: { action: BulkAction; label: string; title: string }[] = [
  { action: "assign", label: "Assign…", title: "Assign findings" },
  { action: "confirm", label: "Confirm…", title: "Confirm findings" },
  { action: "accept_risk", label: "Accept risk…", title: "Accept the risk" },
  { action: "false_positive", label: "False positive…", title: "Mark as false positive" },
];

/** The bar shown while rows are selected; each action asks for its details and one justification. */
export function BulkActionBar({
  selectedIds,
  onDone,
}: {
  selectedIds: readonly string[];
  onDone: (message: string) => void;
}) {
  const [action, setAction] = useState<BulkAction | null>(null);
  const current = ACTIONS.find((a) => a.action === action);
  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      <span>
        <strong>{selectedIds.length}</strong> selected
      </span>
      {ACTIONS.map((a) => (
        <Button key={a.action} size="sm" onClick={() => setAction(a.action)}>
          {a.label}
        </Button>
      ))}
      {current ? (
        <BulkDialog
          key={current.action}
          action={current.action}
          title={`${current.title} (${selectedIds.length})`}
          ids={selectedIds}
          onClose={() => setAction(null)}
          onDone={(n) => {
            setAction(null);
            onDone(`${current.title}: ${n} finding${n === 1 ? "" : "s"} updated.`);
          }}
        />
      ) : null}
    </section>
  );
}

function BulkDialog({
  action,
  title,
  ids,
  onClose,
  onDone,
}: {
  action: BulkAction;
  title: string;
  ids: readonly string[];
  onClose: () => void;
  onDone: (updated: number) => void;
}) {
  const bulk = useBulkAction();
  const [justification, setJustification] = useState("");
  const [assignee, setAssignee] = useState("");
  const [expires, setExpires] = useState(todayPlus(90));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const input: BulkInput = { ids: [...ids], action, justification: justification.trim() };
    if (action === "assign") input.assignee = assignee.trim();
    if (action === "accept_risk") input.expires_at = endOfDayIso(expires);
    const result = await bulk.mutateAsync(input).catch(() => null);
    if (result) onDone(typeof result.updated === "number" ? result.updated : ids.length);
  }

  return (
    <Dialog title={title} open onClose={onClose}>
      <form onSubmit={onSubmit} className="stack">
        {action === "assign" ? (
          <TextField
            label="Assignee"
            required
            value={assignee}
            onChange={(e) => setAssignee(e.target.value)}
            placeholder="username"
          />
        ) : null}
        {action === "accept_risk" ? (
          <TextField
            label="Accepted until"
            type="date"
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
          <Button type="submit" variant="primary" disabled={bulk.isPending}>
            {bulk.isPending ? "Applying…" : `Apply to ${ids.length}`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
