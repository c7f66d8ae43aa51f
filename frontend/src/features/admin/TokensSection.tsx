import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { tokensQuery, useCreateToken, useRevokeToken, usersQuery } from "../../api/admin";
import { assetListQuery } from "../../api/assets";
import { type SchemaScope, type SchemaTokenRead, scopeValues } from "../../api/generated/schema";
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
import { formatDate, formatDateTime } from "../../lib/format";
import { OneTimeSecret } from "./OneTimeSecret";

const SCOPE_HINTS: Record<SchemaScope, string> = {
  read: "read findings, assets, posture",
  ingest: "upload reports (CI)",
  triage: "triage and assign findings",
};

const EXPIRY_OPTIONS = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "never" },
];

function tokenState(t: SchemaTokenRead) {
  if (t.revoked_at) return <Badge tone="neutral">revoked</Badge>;
  if (!t.active) return <Badge tone="warn">expired</Badge>;
  return <Badge tone="ok">active</Badge>;
}

/** API tokens: create (scopes, assets, expiry; the secret shown once), revoke, last use. */
export function TokensSection() {
  const { data, error, isPending } = useQuery(tokensQuery);
  const assets = useQuery(assetListQuery);
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const assetNames = new Map((assets.data ?? []).map((a) => [a.id, a.name]));

  return (
    <Section
      title="API tokens"
      actions={
        <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
          New token
        </Button>
      }
    >
      {secret ? (
        <OneTimeSecret
          label={`Token ${secret.name}`}
          value={secret.token}
          note="store it in your CI's secrets now; it cannot be read again"
          onDone={() => setSecret(null)}
        />
      ) : null}
      {error ? <ErrorMessage error={error} title="Could not load tokens" /> : null}
      {revoke.error ? <ErrorMessage error={revoke.error} title="Not revoked" /> : null}
      {isPending ? <Loading /> : null}
      {data && data.length === 0 ? <EmptyState>No API tokens.</EmptyState> : null}
      {data && data.length > 0 ? (
        <DataTable
          caption="API tokens"
          columns={["Token", "Acts for", "Scopes", "Assets", "Expires", "Last used", "State"]}
          actions
          testId="tokens"
        >
          {data.map((t) => (
            <tr key={t.id} data-testid={`token-${t.name}`}>
              <td>
                <strong>{t.name}</strong>
                <div className="muted small">
                  <code>{t.prefix}…</code> by {t.created_by}, {formatDate(t.created_at)}
                </div>
              </td>
              <td>{t.user}</td>
              <td>{t.scopes.join(", ")}</td>
              <td className="wrap">
                {t.asset_ids === null
                  ? "all"
                  : t.asset_ids.map((id) => assetNames.get(id) ?? id).join(", ")}
              </td>
              <td>{t.expires_at ? formatDate(t.expires_at) : "never"}</td>
              <td>{t.last_used_at ? formatDateTime(t.last_used_at) : "never used"}</td>
              <td>{tokenState(t)}</td>
              <td>
                {t.revoked_at ? null : (
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={revoke.isPending}
                    aria-label={`Revoke token ${t.name}`}
                    onClick={() => {
                      if (window.confirm(`Revoke the token ${t.name}? It stops working now.`))
                        revoke.mutate(t.id);
                    }}
                  >
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {creating ? (
        <CreateTokenDialog
          assetOptions={(assets.data ?? []).map((a) => a.name)}
          onClose={() => setCreating(false)}
          onCreated={(name, token) => {
            setCreating(false);
            setSecret({ name, token });
          }}
        />
      ) : null}
    </Section>
  );
}

function CreateTokenDialog({
  assetOptions,
  onClose,
  onCreated,
}: {
  assetOptions: string[];
  onClose: () => void;
  onCreated: (name: string, token: string) => void;
}) {
  const create = useCreateToken();
  const users = useQuery(usersQuery);
  const owners = (users.data ?? []).filter((u) => u.active);
  const [form, setForm] = useState({ user: "", name: "", expiry: "90" });
  const [scopes, setScopes] = useState<SchemaScope[]>(["ingest"]);
  const [allAssets, setAllAssets] = useState(true);
  const [assets, setAssets] = useState<string[]>([]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      const created = await create.mutateAsync({
        user: form.user,
        name: form.name.trim(),
        scopes,
        assets: allAssets ? null : assets,
        expires_days: form.expiry === "never" ? null : Number(form.expiry),
      });
      onCreated(created.name, created.token);
    } catch {
      // shown from create.error
    }
  }

  const valid =
    form.user && form.name.trim() && scopes.length > 0 && (allAssets || assets.length > 0);

  return (
    <Dialog title="New API token" open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <div className="form-grid">
          <SelectField
            label="Acts for"
            hint="the user's role caps the scopes"
            required
            placeholder="choose a user…"
            options={owners.map((u) => ({ value: u.username, label: `${u.username} (${u.role})` }))}
            value={form.user}
            onChange={(e) => setForm((f) => ({ ...f, user: e.target.value }))}
          />
          <TextField
            label="Name"
            required
            maxLength={100}
            hint="e.g. github-actions web"
            value={form.name}
            onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
          />
          <SelectField
            label="Expires after"
            options={EXPIRY_OPTIONS}
            value={form.expiry}
            onChange={(e) => setForm((f) => ({ ...f, expiry: e.target.value }))}
          />
        </div>
        <fieldset className="checkbox-list">
          <legend>Scopes</legend>
          {scopeValues.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) =>
                  setScopes((c) => (e.target.checked ? [...c, s] : c.filter((x) => x !== s)))
                }
              />{" "}
              {s} <span className="muted small">({SCOPE_HINTS[s]})</span>
            </label>
          ))}
        </fieldset>
        <fieldset className="checkbox-list">
          <legend>Assets</legend>
          <label>
            <input
              type="checkbox"
              checked={allAssets}
              onChange={(e) => setAllAssets(e.target.checked)}
            />{" "}
            every asset
          </label>
          {allAssets
            ? null
            : assetOptions.map((name) => (
                <label key={name}>
                  <input
                    type="checkbox"
                    checked={assets.includes(name)}
                    onChange={(e) =>
                      setAssets((c) =>
                        e.target.checked ? [...c, name] : c.filter((n) => n !== name),
                      )
                    }
                  />{" "}
                  {name}
                </label>
              ))}
        </fieldset>
        {create.error ? <ErrorMessage error={create.error} title="Not created" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!valid || create.isPending}>
            Create token
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
