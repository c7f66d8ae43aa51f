import { Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import type { SchemaFindingRead } from "../../api/generated/schema";
import { humanize } from "../../lib/format";
import { PriorityBadge, SeverityBadge, SlaBadge, TriageBadge } from "./Badges";

/**
 * Findings as a table: one row each, the active row (keyboard cursor) highlighted and focused,
 * a checkbox per row when `selected` is given.
 */
export function FindingsTable({
  findings,
  active,
  onActivate,
  selected,
  onToggle,
  onToggleAll,
  caption,
}: {
  findings: readonly SchemaFindingRead[];
  active?: number;
  onActivate?: (index: number) => void;
  selected?: ReadonlySet<string>;
  onToggle?: (id: string) => void;
  onToggleAll?: (on: boolean) => void;
  caption: string;
}) {
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  useEffect(() => {
    if (active === undefined) return;
    const row = rows.current[active];
    if (row && document.activeElement !== row && !row.contains(document.activeElement)) {
      // move focus only when it is already in the table (never steal it from the filters)
      if (
        document.activeElement === document.body ||
        row.parentElement?.contains(document.activeElement)
      ) {
        row.focus({ preventScroll: false });
      }
    }
    row?.scrollIntoView?.({ block: "nearest" });
  }, [active]);

  const selectable = selected !== undefined && onToggle !== undefined;
  const allOn = selectable && findings.length > 0 && findings.every((f) => selected.has(f.id));

  return (
    <table className="findings-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {selectable ? (
            <th scope="col" className="col-select">
              <input
                type="checkbox"
                aria-label="Select all on this page"
                checked={allOn}
                onChange={(e) => onToggleAll?.(e.target.checked)}
              />
            </th>
          ) : null}
          <th scope="col">Priority</th>
          <th scope="col" className="num">
            Risk
          </th>
          <th scope="col">Severity</th>
          <th scope="col">Finding</th>
          <th scope="col">Asset</th>
          <th scope="col">Tools</th>
          <th scope="col">Status</th>
          <th scope="col">Assignee</th>
          <th scope="col">SLA</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr
            key={f.id}
            ref={(el) => {
              rows.current[i] = el;
            }}
            tabIndex={active === i ? 0 : -1}
            className={[
              active === i ? "row-active" : "",
              selected?.has(f.id) ? "row-selected" : "",
            ].join(" ")}
            aria-selected={selectable ? selected.has(f.id) : undefined}
            onClick={() => onActivate?.(i)}
            onFocus={() => onActivate?.(i)}
            data-finding-id={f.id}
          >
            {selectable ? (
              <td className="col-select">
                <input
                  type="checkbox"
                  aria-label={`Select ${f.title}`}
                  checked={selected.has(f.id)}
                  onChange={() => onToggle(f.id)}
                />
              </td>
            ) : null}
            <td>
              <PriorityBadge priority={f.priority} />
              {f.toxic ? (
                <span
                  className="toxic-marker"
                  title="In a toxic combination: see Why on the finding page"
                  data-testid="toxic-marker"
                >
                  toxic
                </span>
              ) : null}
            </td>
            <td className="num">{f.risk_score ?? "–"}</td>
            <td>
              <SeverityBadge severity={f.severity} />
            </td>
            <td className="col-title">
              <Link
                to="/findings/$findingId"
                params={{ findingId: f.id }}
                tabIndex={active === i ? 0 : -1}
              >
                {f.title}
              </Link>
              <div className="muted small finding-where">
                {humanize(f.category)}
                {f.path ? ` · ${f.path}` : ""}
                {f.resource ? (
                  <>
                    {" · "}
                    <code data-testid="finding-resource">{f.resource}</code>
                  </>
                ) : null}
              </div>
            </td>
            <td>{f.asset}</td>
            <td>{f.tools.join(", ")}</td>
            <td>
              <TriageBadge state={f.triage_state} />
              {f.status === "fixed" ? <span className="muted small"> fixed</span> : null}
            </td>
            <td>{f.assignee ?? <span className="muted">unassigned</span>}</td>
            <td>
              <SlaBadge status={f.sla_status} dueAt={f.sla_due_at} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
