import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { findingAcceptanceQuery, findingAssetQuery, findingDetailQuery } from "../../api/findings";
import { usePageTitle } from "../../components/layout/DocumentTitle";
import { ErrorMessage, Loading, Section } from "../../components/ui";
import { formatDateTime, humanize } from "../../lib/format";
import { canManageRules } from "../auth/pagePermissions";
import { canActOnFinding } from "../auth/permissions";
import { useCurrentUser } from "../auth/useCurrentUser";
import { FindingTicketsSection } from "../integrations/FindingTickets";
import { SuppressionPanel } from "../rules/SuppressionPanel";
import { PriorityBadge, SeverityBadge, SlaBadge, TriageBadge } from "./Badges";
import { CodeToCloud } from "./CodeToCloud";
import { Comments, History } from "./Conversation";
import { DetectionList } from "./DetectionList";
import { FindingActions } from "./FindingActions";
import { RiskExplanation } from "./RiskExplanation";
import { RuleDocs, referenceUrl } from "./RuleDocs";

const route = getRouteApi("/app/findings/$findingId");

export function FindingPage() {
  const { findingId } = route.useParams();
  const user = useCurrentUser();
  const { data: f, error, isPending } = useQuery(findingDetailQuery(findingId));
  const asset = useQuery({ ...findingAssetQuery(f?.asset ?? ""), enabled: Boolean(f?.asset) });
  const acceptance = useQuery({
    ...findingAcceptanceQuery(findingId),
    enabled: f?.triage_state === "accepted_risk",
  });
  usePageTitle(f?.title);
  if (isPending) return <Loading label="Loading finding…" />;
  if (error) return <ErrorMessage error={error} title="Could not load this finding" />;

  const team = f.team;
  const ownerTeam = asset.data?.owner_team ?? null;
  // until the asset (its owner team) is known, offer nothing rather than the wrong thing
  const scopeKnown = !asset.isPending;
  const mayAct =
    scopeKnown && canActOnFinding(user, { assignee: f.assignee, team, owner_team: ownerTeam });

  return (
    <article className="finding" aria-labelledby="finding-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/findings">Triage queue</Link> / finding
      </nav>
      <header className="finding-header">
        <h1 id="finding-title">{f.title}</h1>
        <div className="finding-meta">
          <PriorityBadge priority={f.priority} />
          <span>
            Risk <strong data-testid="risk-score">{f.risk_score ?? "–"}</strong>
          </span>
          <SeverityBadge severity={f.severity} />
          <TriageBadge state={f.triage_state} />
          <SlaBadge status={f.sla_status} dueAt={f.sla_due_at} />
          <span className="muted">
            {humanize(f.category)} · {f.asset} · {f.status === "fixed" ? "fixed" : "still detected"}{" "}
            · first seen {formatDateTime(f.first_seen_at)}
            {f.reopen_count ? ` · reopened ${f.reopen_count}×` : ""}
          </span>
        </div>
      </header>

      <div className="finding-grid">
        <div className="stack">
          <Section title={f.priority ? `Why ${f.priority}` : "Why this score"}>
            <RiskExplanation
              priority={f.priority}
              score={f.risk_score}
              factors={f.risk_explanation ?? []}
            />
          </Section>

          {f.code_to_cloud ? (
            <Section title="Code to cloud">
              <CodeToCloud c2c={f.code_to_cloud} />
            </Section>
          ) : null}

          <Section title={`Detections (${f.detection_list.length})`}>
            <DetectionList detections={f.detection_list} />
          </Section>

          <Section title="Remediation">
            {f.description && f.description !== f.remediation ? (
              <p className="prose">{f.description}</p>
            ) : null}
            {f.remediation ? (
              <p className="prose">
                <strong>Fix: </strong>
                {f.remediation}
              </p>
            ) : f.control?.remediation ? (
              <p className="prose" data-testid="control-remediation">
                <strong>Fix: </strong>
                {f.control.remediation}{" "}
                <span className="muted small">(from the control map: {f.control.title})</span>
              </p>
            ) : (
              <p className="muted">The reports gave no remediation advice.</p>
            )}
            {f.references.length ? (
              <>
                <h3>References</h3>
                <ul className="references">
                  {f.references.map((r) => {
                    const url = referenceUrl(r, f.control?.docs ?? []);
                    return (
                      <li key={r}>
                        {url ? (
                          <a href={url} target="_blank" rel="noreferrer noopener">
                            {r}
                          </a>
                        ) : (
                          r
                        )}
                      </li>
                    );
                  })}
                </ul>
              </>
            ) : null}
            <RuleDocs
              docs={f.control?.docs ?? []}
              reportedBy={f.detection_list.map((d) => d.tool)}
            />
            {f.cwe_ids.length ? (
              <p>
                <span className="label">CWE</span> {f.cwe_ids.map((c) => `CWE-${c}`).join(", ")}
              </p>
            ) : null}
          </Section>

          <Section title="Compliance">
            {f.compliance.length || f.control ? (
              <>
                {f.control ? (
                  <p>
                    <span className="label">Control</span> <code>{f.control.id}</code>{" "}
                    {f.control.title}
                  </p>
                ) : null}
                <ul className="compliance">
                  {f.compliance.map((ref) => (
                    <li key={ref.join(":")}>
                      <strong>{ref[0]}</strong> {ref.slice(1).join(" ")}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p className="muted">No compliance mapping for this rule.</p>
            )}
          </Section>
        </div>

        <div className="stack">
          <Section title="Actions">
            {scopeKnown ? (
              <FindingActions user={user} finding={f} ownerTeam={ownerTeam} />
            ) : (
              <Loading />
            )}
          </Section>
          <FindingTicketsSection
            findingId={f.id}
            canCreate={mayAct}
            canRetry={canManageRules(user)}
          />
          <Section title="Suppression">
            <SuppressionPanel finding={f} canManage={canManageRules(user)} />
          </Section>
          <Section title="Assignment">
            <dl className="facts">
              <dt>Assignee</dt>
              <dd data-testid="assignee">{f.assignee ?? "unassigned"}</dd>
              <dt>Team</dt>
              <dd>{team ?? "–"}</dd>
              <dt>Asset owner</dt>
              <dd>{ownerTeam ?? "–"}</dd>
              <dt>SLA due</dt>
              <dd>{formatDateTime(f.sla_due_at)}</dd>
            </dl>
            {acceptance.data ? (
              <div className="acceptance" data-testid="risk-acceptance">
                <h3>Risk accepted</h3>
                <dl className="facts">
                  <dt>Until</dt>
                  <dd>{formatDateTime(acceptance.data.expires_at)}</dd>
                  <dt>By</dt>
                  <dd>{acceptance.data.requested_by}</dd>
                  <dt>Approver</dt>
                  <dd>{acceptance.data.approver ?? "–"}</dd>
                  <dt>Why</dt>
                  <dd>{acceptance.data.justification}</dd>
                </dl>
              </div>
            ) : null}
          </Section>
          <Section title="Comments">
            <Comments findingId={f.id} canComment={mayAct} />
          </Section>
          <Section title="History">
            <History findingId={f.id} />
          </Section>
        </div>
      </div>
    </article>
  );
}
