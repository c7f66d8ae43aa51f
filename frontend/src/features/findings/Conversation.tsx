import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { findingCommentsQuery, findingHistoryQuery, useAddComment } from "../../api/findings";
import { Button, EmptyState, ErrorMessage, Loading, TextAreaField } from "../../components/ui";
import { formatDateTime, humanize } from "../../lib/format";

export function Comments({ findingId, canComment }: { findingId: string; canComment: boolean }) {
  const { data, error, isPending } = useQuery(findingCommentsQuery(findingId));
  const add = useAddComment(findingId);
  const [body, setBody] = useState("");

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!body.trim()) return;
    const ok = await add.mutateAsync(body.trim()).then(
      () => true,
      () => false,
    );
    if (ok) setBody("");
  }

  return (
    <div className="stack">
      {isPending ? <Loading /> : null}
      {error ? <ErrorMessage error={error} title="Comments unavailable" /> : null}
      {data && data.items.length === 0 ? <EmptyState>No comments yet.</EmptyState> : null}
      {data?.items.length ? (
        <ul className="comments">
          {data.items.map((c) => (
            <li key={c.id}>
              <div className="muted small">
                <strong>{c.author}</strong> · {formatDateTime(c.created_at)}
              </div>
              <p className="comment-body">{c.body}</p>
            </li>
          ))}
        </ul>
      ) : null}
      {canComment ? (
        <form onSubmit={onSubmit} className="stack">
          <TextAreaField
            label="Add a comment"
            rows={2}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          {add.error ? <ErrorMessage error={add.error} title="Not posted" /> : null}
          <div>
            <Button type="submit" size="sm" disabled={add.isPending || !body.trim()}>
              Comment
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

export function History({ findingId }: { findingId: string }) {
  const { data, error, isPending } = useQuery(findingHistoryQuery(findingId));
  if (isPending) return <Loading />;
  if (error) return <ErrorMessage error={error} title="History unavailable" />;
  if (!data.items.length) return <EmptyState>No changes recorded yet.</EmptyState>;
  return (
    <ol className="history">
      {data.items.map((e) => (
        <li key={e.id}>
          <span className="muted small">{formatDateTime(e.at)}</span> <strong>{e.actor}</strong>{" "}
          {humanize(e.action)}
          {e.from_value || e.to_value ? (
            <>
              {": "}
              {e.from_value ? <code>{e.from_value}</code> : null}
              {e.from_value && e.to_value ? " → " : null}
              {e.to_value ? <code>{e.to_value}</code> : null}
            </>
          ) : null}
          {e.reason ? <div className="history-reason">“{e.reason}”</div> : null}
        </li>
      ))}
    </ol>
  );
}
