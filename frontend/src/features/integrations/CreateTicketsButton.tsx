import { type FormEvent, useState } from "react";
import type { SchemaGrouping, SchemaTicketCreate } from "../../api/generated/schema";
import { useCreateTickets } from "../../api/tickets";
import { Button, Dialog, ErrorMessage } from "../../components/ui";
import { formatNumber } from "../../lib/format";

type TicketFilter = NonNullable<SchemaTicketCreate["filter"]>;

/** The queue's selection: ids, or its filter (the fields it sets; the server defaults the rest). */
type Selection =
  | { kind: "ids"; ids: readonly string[] }
  | { kind: "filter"; filter: Partial<TicketFilter>; count: number };

const GROUPINGS: { value: SchemaGrouping; label: string }[] = [
  { value: "finding", label: "One ticket per finding" },
  { value: "control_asset", label: "One ticket per control and asset" },
];

/** "Create tickets…" in the queue's bulk bar: the selection (ids or the filter) to Jira or GitHub. */
export function CreateTicketsButton({
  selection,
  onDone,
}: {
  selection: Selection;
  onDone: (message: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [grouping, setGrouping] = useState<SchemaGrouping>("finding");
  const create = useCreateTickets();
  const size = selection.kind === "ids" ? selection.ids.length : selection.count;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const body: SchemaTicketCreate =
      selection.kind === "ids"
        ? { ids: [...selection.ids], grouping }
        : { filter: selection.filter as TicketFilter, grouping };
    try {
      const result = await create.mutateAsync(body);
      setOpen(false);
      const n = result.tickets.length;
      const skipped = result.already_linked.length;
      onDone(
        `${n} ticket${n === 1 ? "" : "s"} asked for` +
          (skipped ? `; ${skipped} finding${skipped === 1 ? " has" : "s have"} one already.` : "."),
      );
    } catch {
      // shown from create.error
    }
  }

  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        Create tickets…
      </Button>
      <Dialog
        title={`Create tickets (${formatNumber(size)})`}
        open={open}
        onClose={() => setOpen(false)}
      >
        <form className="stack" onSubmit={onSubmit}>
          <fieldset className="checkbox-list">
            <legend>Tickets</legend>
            {GROUPINGS.map((g) => (
              <label key={g.value}>
                <input
                  type="radio"
                  name="grouping"
                  value={g.value}
                  checked={grouping === g.value}
                  onChange={() => setGrouping(g.value)}
                />{" "}
                {g.label}
              </label>
            ))}
          </fieldset>
          <p className="muted small">
            Each goes to the project the tickets file maps its asset or team to. Findings that
            already have an open ticket are left out.
          </p>
          {create.error ? <ErrorMessage error={create.error} title="No ticket was made" /> : null}
          <div className="dialog-actions">
            <Button type="button" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={create.isPending}>
              Create
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
