import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { directoryQuery } from "../../api/auth";
import { TextField } from "../../components/ui";

/**
 * Who a finding may go to: the active users and the teams of the directory. Each field suggests
 * them as you type (a datalist searches by name) and says at once when a name is not one of them;
 * the server refuses such names too.
 */
export function useDirectory() {
  const { data } = useQuery(directoryQuery);
  const users = data?.users ?? [];
  const teams = data?.teams ?? [];
  return {
    loaded: data !== undefined,
    users,
    teams,
    /** null when `name` is empty or assignable, else what is wrong */
    userError: (name: string) =>
      !data || !name.trim() || users.some((u) => u.username === name.trim())
        ? null
        : `No active user named “${name.trim()}”: choose one from the list.`,
    teamError: (name: string) =>
      !data || !name.trim() || teams.includes(name.trim())
        ? null
        : `No team named “${name.trim()}”: choose one from the list.`,
  };
}

export function AssigneeField({
  value,
  onChange,
  error,
  required,
  placeholder = "search by name (empty: unassigned)",
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | null;
  required?: boolean;
  placeholder?: string;
}) {
  const listId = useId();
  const { users } = useDirectory();
  return (
    <>
      <TextField
        label="Assignee"
        list={listId}
        autoComplete="off"
        spellCheck={false}
        required={required}
        value={value}
        error={error}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {users.map((u) => (
          <option key={u.username} value={u.username}>
            {[u.display_name || u.username, u.teams.join(", ")].filter(Boolean).join(" · ")}
          </option>
        ))}
      </datalist>
    </>
  );
}

export function TeamField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | null;
}) {
  const listId = useId();
  const { teams } = useDirectory();
  return (
    <>
      <TextField
        label="Team"
        list={listId}
        autoComplete="off"
        spellCheck={false}
        value={value}
        error={error}
        placeholder="search teams (empty: none)"
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {teams.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </>
  );
}
