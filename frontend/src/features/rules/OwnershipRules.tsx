import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import {
  ownershipRulesQuery,
  useCreateOwnershipRule,
  useRemoveOwnershipRule,
} from "../../api/rules";
import {
  Button,
  Dialog,
  EmptyState,
  ErrorMessage,
  Loading,
  Section,
  TextField,
} from "../../components/ui";
import { formatDateTime } from "../../lib/format";
import { describeMatch } from "./SuppressionRules";

export function OwnershipRules({ canManage }: { canManage: boolean }) {
  const { data, error, isPending } = useQuery(ownershipRulesQuery);
  const remove = useRemoveOwnershipRule();
  const [creating, setCreating] = useState(false);

  return (
    <Section
      title="Ownership rules"
      actions={
        canManage ? (
          <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
            New ownership rule
          </Button>
        ) : null
      }
    >
      <p className="muted small">
        In order; the last rule that matches a new finding gives it its team.
      </p>
      {error ? <ErrorMessage error={error} title="Could not load ownership rules" /> : null}
      {remove.error ? <ErrorMessage error={remove.error} title="Not deleted" /> : null}
      {isPending ? <Loading /> : null}
      {data && data.length === 0 ? <EmptyState>No ownership rules.</EmptyState> : null}
      {data && data.length > 0 ? (
        <table className="data-table" data-testid="ownership-rules">
          <caption className="sr-only">Ownership rules, in order</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Matches</th>
              <th scope="col">Team</th>
              <th scope="col">Author</th>
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
                <td className="num">{rule.position}</td>
                <td className="wrap">
                  <code>{describeMatch(rule)}</code>
                </td>
                <td>{rule.team}</td>
                <td>
                  {rule.author}
                  <div className="muted small">{formatDateTime(rule.created_at)}</div>
                </td>
                {canManage ? (
                  <td>
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={remove.isPending}
                      onClick={() => {
                        if (
                          window.confirm(
                            `Delete the rule giving ${describeMatch(rule)} to ${rule.team}?`,
                          )
                        ) {
                          remove.mutate(rule.id);
                        }
                      }}
                      aria-label={`Delete ownership rule ${describeMatch(rule)} to ${rule.team}`}
                    >
                      Delete
                    </Button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {creating ? <CreateOwnershipDialog onClose={() => setCreating(false)} /> : null}
    </Section>
  );
}

function CreateOwnershipDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateOwnershipRule();
  const [asset, setAsset] = useState("");
  const [path, setPath] = useState("");
  const [resource, setResource] = useState("");
  const [team, setTeam] = useState("");
  const opt = (v: string) => v.trim() || null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await create.mutateAsync({
        asset: opt(asset),
        path_glob: opt(path),
        resource_pattern: opt(resource),
        team: team.trim(),
      });
      onClose();
    } catch {
      // shown from create.error
    }
  }

  return (
    <Dialog title="New ownership rule" open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <div className="form-grid">
          <TextField
            label="Asset"
            hint="asset name, exact"
            value={asset}
            onChange={(e) => setAsset(e.target.value)}
          />
          <TextField
            label="Path"
            hint="glob, e.g. services/pay/**"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
          <TextField
            label="Resource"
            hint="IaC address or ARN pattern"
            value={resource}
            onChange={(e) => setResource(e.target.value)}
          />
          <TextField label="Team" required value={team} onChange={(e) => setTeam(e.target.value)} />
        </div>
        {create.error ? <ErrorMessage error={create.error} title="Not created" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending || !team.trim()}>
            Create rule
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
