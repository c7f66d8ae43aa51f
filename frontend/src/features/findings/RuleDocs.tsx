import type { SchemaRuleDoc } from "../../api/generated/schema";

/**
 * Each tool's page for the finding's rules (from the control map): the tools that reported this
 * finding first, then the others that check the same control.
 */
export function RuleDocs({
  docs,
  reportedBy,
}: {
  docs: readonly SchemaRuleDoc[];
  reportedBy: readonly string[];
}) {
  if (docs.length === 0) return null;
  const seen = new Set<string>();
  const unique = docs.filter((d) => !seen.has(d.url) && seen.add(d.url));
  const ordered = [
    ...unique.filter((d) => reportedBy.includes(d.tool)),
    ...unique.filter((d) => !reportedBy.includes(d.tool)),
  ];
  return (
    <>
      <h3>Tool documentation</h3>
      <ul className="references" data-testid="rule-docs">
        {ordered.map((d) => (
          <li key={`${d.tool}:${d.rule_id}`}>
            <a href={d.url} target="_blank" rel="noreferrer noopener">
              {d.tool} {d.rule_id}
            </a>
            {reportedBy.includes(d.tool) ? <span className="muted small"> (reported)</span> : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** A reference that is a rule id some tool documents becomes a link to that page. */
export function referenceUrl(reference: string, docs: readonly SchemaRuleDoc[]): string | null {
  if (/^https?:\/\//.test(reference)) return reference;
  return docs.find((d) => d.rule_id === reference)?.url ?? null;
}
