import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import type {
  SchemaSuppressedFindingRead,
  SchemaSuppressionCriteria,
  SchemaSuppressionPreview,
  SchemaSuppressionRuleRead,
} from "../../api/generated/schema";
import {
  suppressedFindingsQuery,
  suppressionPreviewQuery,
  suppressionRulesQuery,
  useCreateSuppressionRule,
  useRemoveSuppressionRule,
} from "../../api/rules";
import {
  Badge,
  Button,
  DateField,
  Dialog,
  EmptyState,
  ErrorMessage,
  Loading,
  Section,
  TextAreaField,
  TextField,
} from "../../components/ui";
import { formatDate, formatDateTime, formatNumber, humanize } from "../../lib/format";
import { SeverityBadge } from "../findings/Badges";

/** What a rule matches, in words: "tool gitleaks · rule aws-* · path tests/**". */
export function describeMatch(rule: {
  tool?: string | null;
  rule?: string | null;
  asset?: string | null;
  path_glob?: string | null;
  resource_pattern?: string | null;
}): string {
  const parts: string[] = [];
  if (rule.tool) parts.push(`tool ${rule.tool}`);
  if (rule.rule) parts.push(`rule ${rule.rule}`);
  if (rule.asset) parts.push(`asset ${rule.asset}`);
  if (rule.path_glob) parts.push(`path ${rule.path_glob}`);
  if (rule.resource_pattern) parts.push(`resource ${rule.resource_pattern}`);
  return parts.join(" · ") || "everything";
}

function ruleState(rule: SchemaSuppressionRuleRead, now: Date) {
  if (rule.ended_at) return <Badge tone="neutral">ended</Badge>;
  if (rule.expires_at && new Date(rule.expires_at) < now) return <Badge tone="warn">expired</Badge>;
  return <Badge tone="ok">in force</Badge>;
}

export function SuppressionRules({
  canManage,
  showEnded,
  onShowEnded,
}: {
  canManage: boolean;
  showEnded: boolean;
  onShowEnded: (on: boolean) => void;
}) {
  const { data, error, isPending } = useQuery(suppressionRulesQuery(showEnded));
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<SchemaSuppressionRuleRead | null>(null);
  const [showing, setShowing] = useState<string | null>(null);
  const now = new Date();
  const shown = data?.find((r) => r.id === showing);

  return (
    <Section
      title="Suppression rules"
      actions={
        <>
          <label className="small">
            <input
              type="checkbox"
              checked={showEnded}
              onChange={(e) => onShowEnded(e.target.checked)}
            />{" "}
            Show ended rules
          </label>
          {canManage ? (
            <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
              New suppression rule
            </Button>
          ) : null}
        </>
      }
    >
      <p className="muted small">
        A rule hides the findings it matches, now and at every later import, until it ends or
        expires. Every criterion given must match.
      </p>
      {error ? <ErrorMessage error={error} title="Could not load suppression rules" /> : null}
      {isPending ? <Loading /> : null}
      {data && data.length === 0 ? <EmptyState>No suppression rules.</EmptyState> : null}
      {data && data.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table" data-testid="suppression-rules">
            <caption className="sr-only">Suppression rules</caption>
            <thead>
              <tr>
                <th scope="col">Matches</th>
                <th scope="col">Justification</th>
                <th scope="col">Author / approver</th>
                <th scope="col">Expires</th>
                <th scope="col" className="num">
                  Findings hidden
                </th>
                <th scope="col">State</th>
                {canManage ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {data.map((rule) => (
                <tr key={rule.id}>
                  <td className="wrap">
                    <code>{describeMatch(rule)}</code>
                  </td>
                  <td className="wrap">
                    {rule.justification}
                    {rule.ended_reason ? (
                      <div className="muted small">ended: {rule.ended_reason}</div>
                    ) : null}
                  </td>
                  <td>
                    {rule.author}
                    {rule.approver ? (
                      <div className="muted small">approved by {rule.approver}</div>
                    ) : null}
                    <div className="muted small">{formatDateTime(rule.created_at)}</div>
                  </td>
                  <td>{rule.expires_at ? formatDate(rule.expires_at) : "never"}</td>
                  <td className="num">
                    {rule.findings > 0 ? (
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={showing === rule.id}
                        aria-label={`${showing === rule.id ? "Hide" : "Show"} the ${formatNumber(rule.findings)} findings hidden by ${describeMatch(rule)}`}
                        onClick={() => setShowing(showing === rule.id ? null : rule.id)}
                      >
                        {formatNumber(rule.findings)}
                      </button>
                    ) : (
                      "0"
                    )}
                  </td>
                  <td>{ruleState(rule, now)}</td>
                  {canManage ? (
                    <td>
                      {rule.ended_at ? null : (
                        <Button
                          size="sm"
                          variant="danger"
                          onClick={() => setRemoving(rule)}
                          aria-label={`End suppression rule ${describeMatch(rule)}`}
                        >
                          End
                        </Button>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {shown ? <RuleFindings rule={shown} /> : null}
      {creating ? <CreateSuppressionDialog onClose={() => setCreating(false)} /> : null}
      {removing ? (
        <RemoveSuppressionDialog rule={removing} onClose={() => setRemoving(null)} />
      ) : null}
    </Section>
  );
}

/** The criteria a dialog starts from ("suppress similar" prefills them from a finding). */
export interface SuppressionDraft {
  tool?: string;
  rule?: string;
  asset?: string;
  path_glob?: string;
  resource_pattern?: string;
}

export function CreateSuppressionDialog({
  onClose,
  initial = {},
  title = "New suppression rule",
}: {
  onClose: () => void;
  initial?: SuppressionDraft;
  title?: string;
}) {
  const create = useCreateSuppressionRule();
  const [form, setForm] = useState({
    tool: initial.tool ?? "",
    rule: initial.rule ?? "",
    asset: initial.asset ?? "",
    path_glob: initial.path_glob ?? "",
    resource_pattern: initial.resource_pattern ?? "",
    justification: "",
    approver: "",
    expires: "",
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const opt = (v: string) => v.trim() || null;
  const criteria: SchemaSuppressionCriteria = {
    tool: opt(form.tool),
    rule: opt(form.rule),
    asset: opt(form.asset),
    path_glob: opt(form.path_glob),
    resource_pattern: opt(form.resource_pattern),
  };
  const hasCriterion = Object.values(criteria).some(Boolean);
  // the preview follows the criteria; a rule is saved only once its current preview is shown
  const [previewed, setPreviewed] = useState<SchemaSuppressionCriteria | null>(null);
  const previewCurrent = previewed !== null && sameCriteria(previewed, criteria);
  const preview = useQuery({
    ...suppressionPreviewQuery(previewed ?? criteria),
    enabled: previewed !== null,
  });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!previewCurrent) {
      setPreviewed(criteria);
      return;
    }
    try {
      await create.mutateAsync({
        ...criteria,
        justification: form.justification.trim(),
        approver: opt(form.approver),
        // end of the chosen day, UTC
        expires_at: form.expires ? `${form.expires}T23:59:59Z` : null,
      });
      onClose();
    } catch {
      // shown from create.error
    }
  }

  return (
    <Dialog title={title} open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <div className="form-grid">
          <TextField
            label="Tool"
            hint="exact, e.g. gitleaks"
            value={form.tool}
            onChange={set("tool")}
          />
          <TextField
            label="Rule"
            hint="rule or control id; * allowed"
            value={form.rule}
            onChange={set("rule")}
          />
          <TextField
            label="Asset"
            hint="asset name, exact"
            value={form.asset}
            onChange={set("asset")}
          />
          <TextField
            label="Path"
            hint="glob, e.g. tests/**"
            value={form.path_glob}
            onChange={set("path_glob")}
          />
          <TextField
            label="Resource"
            hint="IaC address or ARN pattern"
            value={form.resource_pattern}
            onChange={set("resource_pattern")}
          />
          <TextField label="Approver" value={form.approver} onChange={set("approver")} />
          <DateField label="Expires on" value={form.expires} onChange={set("expires")} />
        </div>
        <TextAreaField
          label="Justification"
          required
          rows={3}
          value={form.justification}
          onChange={set("justification")}
        />
        {!hasCriterion ? (
          <p className="small muted">
            Give at least one criterion (tool, rule, asset, path, resource).
          </p>
        ) : null}
        {previewed !== null ? (
          <PreviewResult
            loading={preview.isFetching}
            error={preview.error}
            data={preview.data}
            stale={!previewCurrent}
          />
        ) : null}
        {create.error ? <ErrorMessage error={create.error} title="Not created" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          {previewCurrent ? null : (
            <Button
              disabled={!hasCriterion}
              onClick={() => setPreviewed(criteria)}
              data-testid="preview-rule"
            >
              Preview
            </Button>
          )}
          <Button
            type="submit"
            variant="primary"
            disabled={
              !previewCurrent ||
              !preview.data ||
              create.isPending ||
              !hasCriterion ||
              !form.justification.trim()
            }
          >
            Create rule
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function sameCriteria(a: SchemaSuppressionCriteria, b: SchemaSuppressionCriteria): boolean {
  const keys = ["tool", "rule", "asset", "path_glob", "resource_pattern"] as const;
  return keys.every((k) => (a[k] ?? null) === (b[k] ?? null));
}

function PreviewResult({
  loading,
  error,
  data,
  stale,
}: {
  loading: boolean;
  error: Error | null;
  data: SchemaSuppressionPreview | undefined;
  stale: boolean;
}) {
  if (error) return <ErrorMessage error={error} title="No preview" />;
  if (loading || !data) return <Loading label="Counting what this rule hides…" />;
  return (
    <div className={`preview ${stale ? "stale" : ""}`} data-testid="suppression-preview">
      <p role="status">
        <strong>
          This rule hides {formatNumber(data.findings)}{" "}
          {data.findings === 1 ? "finding" : "findings"}
        </strong>
        {data.findings > 0 ? ` (${formatNumber(data.open)} open)` : ""}
        {data.already_suppressed > 0
          ? `; ${formatNumber(data.already_suppressed)} more match but other rules hide them already`
          : ""}
        .{stale ? " The criteria changed: preview again." : ""}
      </p>
      {data.items.length > 0 ? (
        <HiddenFindingsTable
          caption="Findings this rule would hide"
          items={data.items}
          total={data.findings}
        />
      ) : null}
    </div>
  );
}

/** A compact list of findings a rule hides (or would hide), each linking to its page. */
export function HiddenFindingsTable({
  caption,
  items,
  total,
}: {
  caption: string;
  items: SchemaSuppressedFindingRead[];
  total: number;
}) {
  return (
    <div className="table-scroll preview-list">
      <table className="data-table compact">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Finding</th>
            <th scope="col">Severity</th>
            <th scope="col">Where</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {items.map((f) => (
            <tr key={f.id}>
              <td className="wrap">
                <Link to="/findings/$findingId" params={{ findingId: f.id }}>
                  {f.title}
                </Link>
                {f.priority ? <span className="muted small"> · {f.priority}</span> : null}
              </td>
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td className="wrap small">
                {f.asset}
                {f.path || f.resource ? <div className="muted">{f.path ?? f.resource}</div> : null}
              </td>
              <td className="small">
                {f.open
                  ? "open"
                  : humanize(f.detector_state === "fixed" ? "fixed" : f.triage_state)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > items.length ? (
        <p className="muted small">
          The {formatNumber(items.length)} highest-risk of {formatNumber(total)} shown.
        </p>
      ) : null}
    </div>
  );
}

function RemoveSuppressionDialog({
  rule,
  onClose,
}: {
  rule: SchemaSuppressionRuleRead;
  onClose: () => void;
}) {
  const remove = useRemoveSuppressionRule();
  const [reason, setReason] = useState("");
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await remove.mutateAsync({ id: rule.id, reason: reason.trim() || undefined });
      onClose();
    } catch {
      // shown from remove.error
    }
  }
  return (
    <Dialog title="End suppression rule" open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <p>
          <code>{describeMatch(rule)}</code> stops hiding its {formatNumber(rule.findings)}{" "}
          findings; the rule is kept for history.
        </p>
        <TextAreaField
          label="Reason"
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        {remove.error ? <ErrorMessage error={remove.error} title="Not ended" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="danger" disabled={remove.isPending}>
            End rule
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The suppressed view of one rule: who wrote it, why, until when, and what it hides. */
function RuleFindings({ rule }: { rule: SchemaSuppressionRuleRead }) {
  const { data, error, isPending } = useQuery(suppressedFindingsQuery(rule.id));
  return (
    <div className="rule-findings" data-testid="rule-findings">
      <h3>
        Hidden by <code>{describeMatch(rule)}</code>
      </h3>
      <p className="small">
        By {rule.author}
        {rule.approver ? `, approved by ${rule.approver}` : ""}, {formatDateTime(rule.created_at)};{" "}
        {rule.expires_at ? `until ${formatDate(rule.expires_at)}` : "no expiry"}. Why:{" "}
        {rule.justification}
      </p>
      {error ? <ErrorMessage error={error} title="Could not load its findings" /> : null}
      {isPending ? <Loading /> : null}
      {data ? (
        <HiddenFindingsTable
          caption="Findings this rule hides"
          items={data.items}
          total={data.total}
        />
      ) : null}
    </div>
  );
}
