import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { SchemaTrackerRead } from "../../api/generated/schema";
import { ticketSettingsQuery, useSetTrackerCredentials } from "../../api/tickets";
import { Badge, Button, ErrorMessage, Loading, Section, TextField } from "../../components/ui";

const KIND_LABEL: Record<SchemaTrackerRead["kind"], string> = {
  jira_cloud: "Jira Cloud",
  jira_server: "Jira Data Center",
  github: "GitHub Issues",
};

/**
 * Ticket trackers: what the tickets file (ASPM_TICKETS_FILE) configures, read only, and each
 * tracker's API token and webhook secret, write-only (the server says only whether one is set).
 */
export function TicketTrackersSection() {
  const { data, error, isPending } = useQuery(ticketSettingsQuery);
  return (
    <Section title="Ticket trackers">
      {isPending ? <Loading /> : null}
      {error ? <ErrorMessage error={error} title="Could not load the ticket settings" /> : null}
      {data && !data.configured ? (
        <p className="muted">
          Tickets are off: set <code>ASPM_TICKETS_FILE</code> to a trackers file (README "Tickets
          (Jira, GitHub Issues)").
        </p>
      ) : null}
      {data?.error ? <p className="field-error">{data.error}</p> : null}
      {data?.configured ? (
        <>
          <dl className="facts">
            <dt>File</dt>
            <dd>
              <code>{data.file}</code>
            </dd>
            <dt>Default</dt>
            <dd>{data.default ?? "none"}</dd>
            <dt>Grouping</dt>
            <dd>{data.grouping === "control_asset" ? "per control and asset" : "per finding"}</dd>
            <dt>Read back</dt>
            <dd>every {data.poll_minutes} minutes</dd>
            {Object.entries({ ...data.teams }).map(([team, target]) => (
              <Mapping key={`team-${team}`} label={`Team ${team}`} target={target} />
            ))}
            {Object.entries({ ...data.assets }).map(([asset, target]) => (
              <Mapping key={`asset-${asset}`} label={`Asset ${asset}`} target={target} />
            ))}
          </dl>
          <div className="table-scroll">
            <table className="data-table" data-testid="trackers">
              <caption className="sr-only">Trackers and their credentials</caption>
              <thead>
                <tr>
                  <th scope="col">Tracker</th>
                  <th scope="col">Credentials</th>
                  <th scope="col">Enter new ones</th>
                </tr>
              </thead>
              <tbody>
                {data.trackers.map((t) => (
                  <TrackerRow key={t.name} tracker={t} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Section>
  );
}

function Mapping({ label, target }: { label: string; target: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{target}</dd>
    </>
  );
}

function TrackerRow({ tracker }: { tracker: SchemaTrackerRead }) {
  const save = useSetTrackerCredentials();
  const [token, setToken] = useState("");
  const [secret, setSecret] = useState("");

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await save.mutateAsync({
        name: tracker.name,
        body: { token: token || undefined, webhook_secret: secret || undefined },
      });
      setToken("");
      setSecret("");
    } catch {
      // shown from save.error
    }
  }

  return (
    <tr data-testid={`tracker-${tracker.name}`}>
      <th scope="row">
        {tracker.name}
        <div className="muted small">
          {KIND_LABEL[tracker.kind]} · {tracker.url}
          {tracker.email ? ` · ${tracker.email}` : ""}
        </div>
        <div className="muted small">
          webhook: <code>{tracker.webhook_path}</code>
        </div>
      </th>
      <td>
        <Badge tone={tracker.token_set ? "ok" : "warn"}>
          token {tracker.token_set ? "set" : "missing"}
        </Badge>{" "}
        <Badge tone={tracker.webhook_secret_set ? "ok" : "neutral"}>
          webhook secret {tracker.webhook_secret_set ? "set" : "not set"}
        </Badge>
      </td>
      <td>
        <form className="inline-form" onSubmit={onSubmit}>
          <TextField
            label={tracker.kind === "jira_server" ? "Personal access token" : "API token"}
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <TextField
            label="Webhook secret"
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
          />
          <Button type="submit" size="sm" disabled={(!token && !secret) || save.isPending}>
            Save
          </Button>
        </form>
        {save.error ? <ErrorMessage error={save.error} title="Not saved" /> : null}
      </td>
    </tr>
  );
}
