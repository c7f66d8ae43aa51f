import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { savedViewsQuery, useSaveView } from "../../api/views";
import { Button, Dialog, ErrorMessage, TextField } from "../../components/ui";
import { viewLink, viewQuery } from "./savedViews";

/**
 * "Save view" and "Copy link" for the queue's current filters: a view is saved under a name (and
 * listed in the navigation); a link is the same filters as a URL, for anyone to open.
 */
export function SaveViewButton({ search }: { search: Record<string, unknown> }) {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const query = viewQuery(search);
  const link = viewLink(query);

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied("Link copied");
    } catch {
      setCopied("Copy the link from the address bar");
    }
  }

  return (
    <span className="save-view">
      <Button size="sm" onClick={() => setOpen(true)} data-testid="save-view">
        Save view
      </Button>
      <Button size="sm" variant="ghost" onClick={() => void copy()} data-testid="copy-link">
        Copy link
      </Button>
      <span className="muted small" role="status">
        {copied}
      </span>
      {open ? <SaveViewDialog query={query} link={link} onClose={() => setOpen(false)} /> : null}
    </span>
  );
}

function SaveViewDialog({
  query,
  link,
  onClose,
}: {
  query: string;
  link: string;
  onClose: () => void;
}) {
  const views = useQuery(savedViewsQuery);
  const save = useSaveView();
  const [name, setName] = useState("");
  const trimmed = name.trim().replace(/\s+/g, " ");
  const existing = views.data?.find((v) => v.name === trimmed);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await save.mutateAsync({ name: trimmed, query, replace: Boolean(existing) });
      onClose();
    } catch {
      // shown from save.error
    }
  }

  return (
    <Dialog title="Save this view" open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <TextField
          label="Name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          hint={
            existing
              ? `Replaces your view "${existing.name}".`
              : "Listed under Saved views in the navigation; only you see it."
          }
        />
        <p className="small">
          Filters: <code data-testid="view-query">{query || "the default queue (open work)"}</code>
        </p>
        <TextField label="Link to share" readOnly value={link} onFocus={(e) => e.target.select()} />
        {save.error ? <ErrorMessage error={save.error} title="Not saved" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!trimmed || save.isPending}>
            {existing ? "Replace view" : "Save view"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
