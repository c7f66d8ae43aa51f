import type { SchemaDetectionRead } from "../../api/generated/schema";

type Located = Pick<SchemaDetectionRead, "path" | "start_line" | "end_line" | "code_url">;
type Ruled = Pick<SchemaDetectionRead, "tool" | "rule_id" | "rule_url">;

/** Only web addresses become links (the server builds them, but a report names rule pages). */
export function webUrl(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/** `path:10-12`, as the detection's location reads. */
export function lineSpan(d: Located): string {
  if (d.start_line == null) return d.path ?? "";
  const end = d.end_line != null && d.end_line !== d.start_line ? `-${d.end_line}` : "";
  return `${d.path ?? ""}:${d.start_line}${end}`;
}

/**
 * A detection's file and lines; a link to them in the repository when the server built one (the
 * asset's repository URL, at the commit the import names, else the asset's default branch).
 */
export function CodeLocation({ d }: { d: Located }) {
  const text = lineSpan(d);
  const url = webUrl(d.code_url);
  if (!url) return <code>{text}</code>;
  return (
    <a
      href={url}
      target="_blank"
      rel="noreferrer noopener"
      data-testid="code-link"
      title="Open these lines in the repository"
    >
      <code>{text}</code>
    </a>
  );
}

/** A detection's rule id; a link to the rule's page when its report or tool documents one. */
export function RuleLink({ d }: { d: Ruled }) {
  const url = webUrl(d.rule_url);
  if (!url) return <code className="muted">{d.rule_id}</code>;
  return (
    <a href={url} target="_blank" rel="noreferrer noopener" title={`${d.tool} documentation`}>
      <code>{d.rule_id}</code>
    </a>
  );
}
