import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { teamsQuery, useCreateTeam, usersQuery, useTeamMember } from "../../api/admin";
import type { SchemaTeamRead } from "../../api/generated/schema";
import {
  Button,
  DataTable,
  EmptyState,
  ErrorMessage,
  Loading,
  Section,
  TextField,
} from "../../components/ui";

/** Teams and their members: create a team, add an active user, remove a member. */
export function TeamsSection() {
  const { data, error, isPending } = useQuery(teamsQuery);
  const create = useCreateTeam();
  const member = useTeamMember();
  const [name, setName] = useState("");

  async function onCreate(e: FormEvent) {
    e.preventDefault();
    try {
      await create.mutateAsync(name.trim());
      setName("");
    } catch {
      // shown from create.error
    }
  }

  return (
    <Section title="Teams">
      <form className="inline-form" onSubmit={onCreate}>
        <TextField
          label="New team"
          maxLength={100}
          pattern="[A-Za-z0-9][A-Za-z0-9._@\-]*"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" size="sm" disabled={!name.trim() || create.isPending}>
          Create team
        </Button>
      </form>
      {create.error ? <ErrorMessage error={create.error} title="Not created" /> : null}
      {member.error ? <ErrorMessage error={member.error} title="Membership not changed" /> : null}
      {error ? <ErrorMessage error={error} title="Could not load teams" /> : null}
      {isPending ? <Loading /> : null}
      {data && data.length === 0 ? <EmptyState>No teams yet.</EmptyState> : null}
      {data && data.length > 0 ? (
        <DataTable
          caption="Teams and members"
          columns={["Team", "Members", "Add a member"]}
          testId="teams"
        >
          {data.map((t) => (
            <TeamRow
              key={t.id}
              team={t}
              busy={member.isPending}
              onMember={(username, add) => member.mutate({ team: t.name, username, add })}
            />
          ))}
        </DataTable>
      ) : null}
    </Section>
  );
}

function TeamRow({
  team,
  busy,
  onMember,
}: {
  team: SchemaTeamRead;
  busy: boolean;
  onMember: (username: string, add: boolean) => void;
}) {
  const users = useQuery(usersQuery);
  const candidates = (users.data ?? [])
    .filter((u) => u.active && !team.members.includes(u.username))
    .map((u) => u.username);
  return (
    <tr data-testid={`team-${team.name}`}>
      <th scope="row">{team.name}</th>
      <td className="wrap">
        {team.members.length === 0 ? <span className="muted">no members</span> : null}
        <ul className="chips">
          {team.members.map((m) => (
            <li key={m}>
              {m}{" "}
              <button
                type="button"
                className="link-button small"
                disabled={busy}
                aria-label={`Remove ${m} from ${team.name}`}
                onClick={() => onMember(m, false)}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
      </td>
      <td>
        <label className="sr-only" htmlFor={`add-member-${team.id}`}>
          Add a member to {team.name}
        </label>
        <select
          id={`add-member-${team.id}`}
          value=""
          disabled={busy || candidates.length === 0}
          onChange={(e) => {
            if (e.target.value) onMember(e.target.value, true);
          }}
        >
          <option value="">add a user…</option>
          {candidates.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      </td>
    </tr>
  );
}
