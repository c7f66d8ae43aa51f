import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { SchemaFindingDetail } from "../../api/generated/schema";
import { suppressionRulesQuery } from "../../api/rules";
import { Button } from "../../components/ui";
import { formatDate, formatDateTime } from "../../lib/format";
import { CreateSuppressionDialog, describeMatch, type SuppressionDraft } from "./SuppressionRules";

/** "Suppress similar": a rule for this finding's control on its asset, under its directory (or
 * for its resource), to be narrowed or widened before the preview. */
export function similarDraft(
  f: Pick<SchemaFindingDetail, "control_id" | "asset" | "path" | "resource">,
): SuppressionDraft {
  const draft: SuppressionDraft = { rule: f.control_id, asset: f.asset };
  if (f.path) {
    const slash = f.path.lastIndexOf("/");
    draft.path_glob = slash > 0 ? `${f.path.slice(0, slash)}/**` : f.path;
  } else if (f.resource) {
    draft.resource_pattern = f.resource;
  }
  return draft;
}

/**
 * A finding's suppression: which rule hides it (who, why, until when), and for leads "Suppress
 * similar…", the rule dialog prefilled from this finding (with its preview).
 */
export function SuppressionPanel({
  finding,
  canManage,
}: {
  finding: SchemaFindingDetail;
  canManage: boolean;
}) {
  const ruleId = finding.suppression_rule_id ?? null;
  const rules = useQuery({ ...suppressionRulesQuery(true), enabled: ruleId !== null });
  const rule = rules.data?.find((r) => r.id === ruleId);
  const [open, setOpen] = useState(false);

  return (
    <div data-testid="suppression-panel">
      {ruleId ? (
        rule ? (
          <dl className="facts">
            <dt>Hidden by</dt>
            <dd>
              <code>{describeMatch(rule)}</code>
            </dd>
            <dt>By</dt>
            <dd>
              {rule.author}, {formatDateTime(rule.created_at)}
              {rule.approver ? ` (approved by ${rule.approver})` : ""}
            </dd>
            <dt>Why</dt>
            <dd>{rule.justification}</dd>
            <dt>Until</dt>
            <dd>{rule.expires_at ? formatDate(rule.expires_at) : "no expiry"}</dd>
          </dl>
        ) : (
          <p className="small">Hidden by a suppression rule.</p>
        )
      ) : (
        <p className="small muted">No suppression rule hides this finding.</p>
      )}
      {finding.suppressed ? (
        <p className="small muted">The tool itself marked it suppressed in its report.</p>
      ) : null}
      {canManage ? (
        <Button size="sm" onClick={() => setOpen(true)} data-testid="suppress-similar">
          Suppress similar…
        </Button>
      ) : null}
      {open ? (
        <CreateSuppressionDialog
          title="Suppress similar findings"
          initial={similarDraft(finding)}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </div>
  );
}
