import { type FormEvent, useState } from "react";
import type { SessionUser } from "../../api/auth";
import { useAssignFinding, useTriageFinding } from "../../api/findings";
import type {
  SchemaFindingDetail,
  SchemaTriageRequest,
  SchemaTriageState,
} from "../../api/generated/schema";
import {
  Button,
  DateField,
  Dialog,
  ErrorMessage,
  TextAreaField,
  TextField,
} from "../../components/ui";
import { canActOnFinding, type FindingScope } from "../auth/permissions";
import { endOfDayIso, todayPlus } from "./dates";
import { AssigneeField, TeamField, useDirectory } from "./PeopleFields";

interface TriageChoice {
  state: SchemaTriageState;
  label: string;
  /** needs a reason */
  reason: boolean;
}

const CHOICES: TriageChoice[] = [
  { state: "confirmed", label: "Confirm", reason: false },
  { state: "in_progress", label: "Start work", reason: false },
  { state: "accepted_risk", label: "Accept risk", reason: true },
  { state: "false_positive", label: "False positive", reason: true },
  { state: "wont_fix", label: "Won't fix", reason: true },
  { state: "new", label: "Reopen", reason: true },
];

/** The triage choices this user may apply to this finding (none for a viewer). */
export function allowedTriage(
  user: Pick<SessionUser, "role" | "username" | "teams">,
  finding: FindingScope & Pick<SchemaFindingDetail, "triage_state">,
): TriageChoice[] {
  if (!canActOnFinding(user, finding)) return [];
  return CHOICES.filter((c) => c.state !== finding.triage_state);
}

export function FindingActions({
  user,
  finding,
  ownerTeam,
}: {
  user: SessionUser;
  finding: SchemaFindingDetail;
  /** the owner team of the finding's asset */
  ownerTeam: string | null;
}) {
  const [dialog, setDialog] = useState<TriageChoice | "assign" | null>(null);
  const scope = { ...finding, owner_team: ownerTeam };
  const choices = allowedTriage(user, scope);
  if (!canActOnFinding(user, scope)) {
    return (
      <p className="muted" data-testid="no-actions">
        You can read this finding; changing it is up to its team and the security team.
      </p>
    );
  }
  return (
    <fieldset className="actions">
      <legend className="sr-only">Finding actions</legend>
      {choices.map((c) => (
        <Button key={c.state} size="sm" onClick={() => setDialog(c)}>
          {c.label}
          {c.reason ? "…" : ""}
        </Button>
      ))}
      <Button size="sm" onClick={() => setDialog("assign")}>
        Assign…
      </Button>
      {dialog === "assign" ? (
        <AssignDialog finding={finding} user={user} onClose={() => setDialog(null)} />
      ) : dialog ? (
        <TriageDialog finding={finding} choice={dialog} onClose={() => setDialog(null)} />
      ) : null}
    </fieldset>
  );
}

function TriageDialog({
  finding,
  choice,
  onClose,
}: {
  finding: SchemaFindingDetail;
  choice: TriageChoice;
  onClose: () => void;
}) {
  const triage = useTriageFinding(finding.id);
  const [reason, setReason] = useState("");
  const [expires, setExpires] = useState(todayPlus(90));
  const [approver, setApprover] = useState("");
  const accepting = choice.state === "accepted_risk";

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const input: SchemaTriageRequest = { state: choice.state, version: finding.version };
    if (reason.trim()) input.reason = reason.trim();
    if (accepting) {
      input.expires_at = endOfDayIso(expires);
      if (approver.trim()) input.approver = approver.trim();
    }
    const ok = await triage.mutateAsync(input).then(
      () => true,
      () => false,
    );
    if (ok) onClose();
  }

  return (
    <Dialog title={`${choice.label}: ${finding.title}`} open onClose={onClose}>
      <form onSubmit={onSubmit} className="stack">
        {accepting ? (
          <>
            <DateField
              label="Accepted until"
              required
              min={todayPlus(1)}
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
              hint="The finding reopens when the acceptance expires (end of day, UTC)."
            />
            <TextField
              label="Approver"
              value={approver}
              onChange={(e) => setApprover(e.target.value)}
            />
          </>
        ) : null}
        <TextAreaField
          label={choice.reason ? "Reason" : "Reason (optional)"}
          required={choice.reason}
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        {triage.error ? <ErrorMessage error={triage.error} title="Not changed" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={triage.isPending}>
            {choice.label}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function AssignDialog({
  finding,
  user,
  onClose,
}: {
  finding: SchemaFindingDetail;
  user: SessionUser;
  onClose: () => void;
}) {
  const assign = useAssignFinding(finding.id);
  const directory = useDirectory();
  const [assignee, setAssignee] = useState(finding.assignee ?? "");
  const [team, setTeam] = useState(finding.team ?? "");
  // a name already on the finding stays valid (e.g. a since deactivated user being replaced)
  const assigneeError = assignee === finding.assignee ? null : directory.userError(assignee);
  const teamError = team === finding.team ? null : directory.teamError(team);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (assigneeError || teamError) return;
    const ok = await assign
      .mutateAsync({
        assignee: assignee.trim() || null,
        team: team.trim() || null,
        version: finding.version,
      })
      .then(
        () => true,
        () => false,
      );
    if (ok) onClose();
  }

  return (
    <Dialog title={`Assign: ${finding.title}`} open onClose={onClose}>
      <form onSubmit={onSubmit} className="stack">
        <AssigneeField value={assignee} onChange={setAssignee} error={assigneeError} />
        <Button size="sm" variant="ghost" onClick={() => setAssignee(user.username)}>
          Assign to me
        </Button>
        <TeamField value={team} onChange={setTeam} error={teamError} />
        {assign.error ? <ErrorMessage error={assign.error} title="Not assigned" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={assign.isPending || Boolean(assigneeError || teamError)}
          >
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
