import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import {
  teamsQuery,
  useCreateUser,
  useResetPassword,
  usersQuery,
  useUpdateUser,
} from "../../api/admin";
import { roleValues, type SchemaRole, type SchemaUserRead } from "../../api/generated/schema";
import {
  Badge,
  Button,
  DataTable,
  Dialog,
  EmptyState,
  ErrorMessage,
  Loading,
  Section,
  SelectField,
  TextField,
} from "../../components/ui";
import { formatDate } from "../../lib/format";
import { ROLE_LABELS } from "../auth/permissions";
import { OneTimeSecret } from "./OneTimeSecret";

const ROLE_OPTIONS = roleValues.map((r) => ({ value: r, label: ROLE_LABELS[r] }));

function userState(u: SchemaUserRead) {
  if (!u.active) return <Badge tone="neutral">deactivated</Badge>;
  if (u.must_change_password) return <Badge tone="warn">one-time password</Badge>;
  return <Badge tone="ok">active</Badge>;
}

/** Users: create (a generated one-time password, shown once), reset a password, deactivate. */
export function UsersSection({ currentUser }: { currentUser: string }) {
  const { data, error, isPending } = useQuery(usersQuery);
  const update = useUpdateUser();
  const reset = useResetPassword();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);

  async function onReset(u: SchemaUserRead) {
    if (!window.confirm(`Reset the password of ${u.username}? Their sessions end.`)) return;
    try {
      const answer = await reset.mutateAsync(u.id);
      if (answer.password) setSecret({ username: u.username, password: answer.password });
    } catch {
      // shown from reset.error
    }
  }

  return (
    <Section
      title="Users"
      actions={
        <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
          New user
        </Button>
      }
    >
      {secret ? (
        <OneTimeSecret
          label={`One-time password of ${secret.username}`}
          value={secret.password}
          note="give it to them; they must choose their own at the first sign-in"
          onDone={() => setSecret(null)}
        />
      ) : null}
      {error ? <ErrorMessage error={error} title="Could not load users" /> : null}
      {update.error ? <ErrorMessage error={update.error} title="Not changed" /> : null}
      {reset.error ? <ErrorMessage error={reset.error} title="Not reset" /> : null}
      {isPending ? <Loading /> : null}
      {data && data.length === 0 ? <EmptyState>No users.</EmptyState> : null}
      {data && data.length > 0 ? (
        <DataTable
          caption="Users"
          columns={["User", "Role", "Teams", "State", "Created"]}
          actions
          testId="users"
        >
          {data.map((u) => (
            <tr key={u.id} data-testid={`user-${u.username}`}>
              <td>
                <strong>{u.username}</strong>
                {u.display_name ? <div className="muted small">{u.display_name}</div> : null}
              </td>
              <td>
                <select
                  aria-label={`Role of ${u.username}`}
                  value={u.role}
                  disabled={update.isPending || u.username === currentUser}
                  onChange={(e) =>
                    update.mutate({ id: u.id, body: { role: e.target.value as SchemaRole } })
                  }
                >
                  {ROLE_OPTIONS.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </td>
              <td className="wrap">{u.teams.join(", ") || <span className="muted">none</span>}</td>
              <td>{userState(u)}</td>
              <td>{formatDate(u.created_at)}</td>
              <td className="actions">
                {u.active ? (
                  <>
                    <Button
                      size="sm"
                      onClick={() => void onReset(u)}
                      disabled={reset.isPending}
                      aria-label={`Reset password of ${u.username}`}
                    >
                      Reset password
                    </Button>{" "}
                    {u.username === currentUser ? null : (
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={update.isPending}
                        aria-label={`Deactivate ${u.username}`}
                        onClick={() => {
                          if (
                            window.confirm(
                              `Deactivate ${u.username}? Their sessions end and their tokens stop working.`,
                            )
                          )
                            update.mutate({ id: u.id, body: { active: false } });
                        }}
                      >
                        Deactivate
                      </Button>
                    )}
                  </>
                ) : (
                  <Button
                    size="sm"
                    disabled={update.isPending}
                    aria-label={`Reactivate ${u.username}`}
                    onClick={() => update.mutate({ id: u.id, body: { active: true } })}
                  >
                    Reactivate
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {creating ? (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(username, password) => {
            setCreating(false);
            if (password) setSecret({ username, password });
          }}
        />
      ) : null}
    </Section>
  );
}

function CreateUserDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (username: string, password: string | null | undefined) => void;
}) {
  const create = useCreateUser();
  const teams = useQuery(teamsQuery);
  const [form, setForm] = useState({ username: "", display_name: "", role: "engineer" });
  const [chosen, setChosen] = useState<string[]>([]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      const user = await create.mutateAsync({
        username: form.username.trim(),
        display_name: form.display_name.trim(),
        role: form.role as SchemaRole,
        teams: chosen,
      });
      onCreated(user.username, user.password);
    } catch {
      // shown from create.error
    }
  }

  return (
    <Dialog title="New user" open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <div className="form-grid">
          <TextField
            label="Username"
            required
            maxLength={100}
            pattern="[A-Za-z0-9][A-Za-z0-9._@\-]*"
            hint="letters, digits, . _ @ -"
            value={form.username}
            onChange={(e) => setForm((f) => ({ ...f, username: e.target.value }))}
          />
          <TextField
            label="Display name"
            maxLength={200}
            value={form.display_name}
            onChange={(e) => setForm((f) => ({ ...f, display_name: e.target.value }))}
          />
          <SelectField
            label="Role"
            options={ROLE_OPTIONS}
            value={form.role}
            onChange={(e) => setForm((f) => ({ ...f, role: e.target.value }))}
          />
        </div>
        {teams.data && teams.data.length > 0 ? (
          <fieldset className="checkbox-list">
            <legend>Teams</legend>
            {teams.data.map((t) => (
              <label key={t.id}>
                <input
                  type="checkbox"
                  checked={chosen.includes(t.name)}
                  onChange={(e) =>
                    setChosen((c) =>
                      e.target.checked ? [...c, t.name] : c.filter((n) => n !== t.name),
                    )
                  }
                />{" "}
                {t.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        <p className="small muted">
          The user gets a generated one-time password, shown once after creating; they choose their
          own at the first sign-in.
        </p>
        {create.error ? <ErrorMessage error={create.error} title="Not created" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={create.isPending || !form.username.trim()}
          >
            Create user
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
