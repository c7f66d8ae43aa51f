import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type {
  SchemaDeliveryRead,
  SchemaEventType,
  SchemaWebhookKind,
  SchemaWebhookRead,
} from "../../api/generated/schema";
import {
  deliveriesQuery,
  eventTypesQuery,
  useCreateWebhook,
  useDeleteWebhook,
  useSendTest,
  useSetWebhookActive,
  webhooksQuery,
} from "../../api/webhooks";
import {
  Badge,
  Button,
  DataTable,
  Dialog,
  EmptyState,
  ErrorMessage,
  Loading,
  PageHeader,
  Section,
  SelectField,
  TextField,
  type Tone,
} from "../../components/ui";
import { formatDateTime } from "../../lib/format";
import "../pages.css";

const KINDS: { value: SchemaWebhookKind; label: string }[] = [
  { value: "generic", label: "Generic (signed JSON)" },
  { value: "slack", label: "Slack incoming webhook" },
  { value: "teams", label: "Microsoft Teams incoming webhook" },
];

const STATUS_TONE: Record<SchemaDeliveryRead["status"], Tone> = {
  delivered: "ok",
  pending: "neutral",
  retrying: "warn",
  failed: "critical",
};

export function WebhooksPage() {
  const { data, error, isPending } = useQuery(webhooksQuery);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const shown = data?.find((w) => w.id === selected) ?? data?.[0] ?? null;

  return (
    <>
      <PageHeader title="Webhooks" />
      <div className="stack">
        <Section
          title="Endpoints"
          actions={
            <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
              New webhook
            </Button>
          }
        >
          <p className="muted small">
            Events are POSTed after the change that caused them is saved. Generic webhooks get a
            signed JSON envelope (header <code>X-ASPM-Signature</code>); Slack and Teams get a chat
            message. URLs and secrets are stored encrypted and never shown again.
          </p>
          {error ? <ErrorMessage error={error} title="Could not load webhooks" /> : null}
          {isPending ? <Loading /> : null}
          {data && data.length === 0 ? <EmptyState>No webhooks yet.</EmptyState> : null}
          {data && data.length > 0 ? (
            <WebhookTable webhooks={data} selected={shown?.id ?? null} onSelect={setSelected} />
          ) : null}
        </Section>
        {shown ? <DeliveryLog webhook={shown} /> : null}
      </div>
      {creating ? (
        <CreateWebhookDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setSelected(id);
            setCreating(false);
          }}
        />
      ) : null}
    </>
  );
}

function WebhookTable({
  webhooks,
  selected,
  onSelect,
}: {
  webhooks: SchemaWebhookRead[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const sendTest = useSendTest();
  const setActive = useSetWebhookActive();
  const remove = useDeleteWebhook();
  return (
    <>
      {sendTest.error ? <ErrorMessage error={sendTest.error} title="Test not sent" /> : null}
      {sendTest.data ? (
        <p className="notice" role="status" data-testid="test-result">
          Test {sendTest.data.status}
          {sendTest.data.response_code ? ` (HTTP ${sendTest.data.response_code})` : ""}
          {sendTest.data.error ? `: ${sendTest.data.error}` : ""}
        </p>
      ) : null}
      {setActive.error ? <ErrorMessage error={setActive.error} title="Not changed" /> : null}
      {remove.error ? <ErrorMessage error={remove.error} title="Not deleted" /> : null}
      <DataTable
        caption="Webhooks"
        columns={["Name", "Kind", "Destination", "Events", "State"]}
        actions
        testId="webhooks"
        scroll={false}
      >
        {webhooks.map((w) => (
          <tr key={w.id} aria-selected={w.id === selected}>
            <td>
              <button type="button" className="link-button" onClick={() => onSelect(w.id)}>
                {w.name}
              </button>
            </td>
            <td>{KINDS.find((k) => k.value === w.kind)?.label ?? w.kind}</td>
            <td>
              <code>{w.url_hint}</code>
              {w.has_secret ? <div className="muted small">signed</div> : null}
            </td>
            <td className="wrap small">{w.events.join(", ")}</td>
            <td>
              <Badge tone={w.active ? "ok" : "neutral"}>{w.active ? "active" : "off"}</Badge>
            </td>
            <td className="actions">
              <Button
                size="sm"
                disabled={sendTest.isPending}
                onClick={() => {
                  onSelect(w.id);
                  sendTest.mutate(w.id);
                }}
                aria-label={`Send a test to ${w.name}`}
              >
                Send test
              </Button>{" "}
              <Button
                size="sm"
                variant="ghost"
                disabled={setActive.isPending}
                onClick={() => setActive.mutate({ id: w.id, active: !w.active })}
              >
                {w.active ? "Turn off" : "Turn on"}
              </Button>{" "}
              <Button
                size="sm"
                variant="danger"
                disabled={remove.isPending}
                aria-label={`Delete webhook ${w.name}`}
                onClick={() => {
                  if (window.confirm(`Delete the webhook ${w.name} and its delivery log?`)) {
                    remove.mutate(w.id);
                  }
                }}
              >
                Delete
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

function DeliveryLog({ webhook }: { webhook: SchemaWebhookRead }) {
  const { data, error, isPending } = useQuery(deliveriesQuery(webhook.id));
  return (
    <Section title={`Delivery log: ${webhook.name}`}>
      {error ? <ErrorMessage error={error} title="Could not load deliveries" /> : null}
      {isPending ? <Loading /> : null}
      {data && data.items.length === 0 ? <EmptyState>Nothing sent yet.</EmptyState> : null}
      {data && data.items.length > 0 ? (
        <DataTable
          caption={`Deliveries to ${webhook.name}, newest first`}
          columns={[
            "Event",
            "Status",
            { label: "Attempts", className: "num" },
            { label: "Response", className: "num" },
            { label: "Duration", className: "num" },
            "Last attempt",
            "Next attempt",
          ]}
          testId="deliveries"
          scroll={false}
        >
          {data.items.map((d) => (
            <tr key={d.id}>
              <td>
                <code>{d.event_type}</code>
              </td>
              <td>
                <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                {d.error ? <div className="muted small">{d.error}</div> : null}
              </td>
              <td className="num">{d.attempts}</td>
              <td className="num">{d.response_code ?? "–"}</td>
              <td className="num">{d.duration_ms == null ? "–" : `${d.duration_ms} ms`}</td>
              <td>{formatDateTime(d.last_attempt_at)}</td>
              <td>{d.next_attempt_at ? formatDateTime(d.next_attempt_at) : "–"}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Section>
  );
}

function CreateWebhookDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const create = useCreateWebhook();
  const types = useQuery(eventTypesQuery);
  const subscribable = (types.data ?? []).filter((t) => t.type !== "webhook.test");
  const [name, setName] = useState("");
  const [kind, setKind] = useState<SchemaWebhookKind>("generic");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [events, setEvents] = useState<SchemaEventType[] | null>(null);
  const chosen = events ?? subscribable.map((t) => t.type);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      const created = await create.mutateAsync({
        name: name.trim(),
        kind,
        url: url.trim(),
        secret: secret ? secret : null,
        events: chosen,
        active: true,
      });
      onCreated(created.id);
    } catch {
      // shown from create.error
    }
  }

  function toggle(type: SchemaEventType, on: boolean) {
    setEvents(on ? [...chosen, type] : chosen.filter((t) => t !== type));
  }

  return (
    <Dialog title="New webhook" open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <div className="form-grid">
          <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
          <SelectField
            label="Kind"
            options={KINDS}
            value={kind}
            onChange={(e) => setKind(e.target.value as SchemaWebhookKind)}
          />
          <TextField
            label="URL"
            required
            type="url"
            autoComplete="off"
            hint="https:// (http:// only on loopback); stored encrypted, never shown again"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
          <TextField
            label="Signing secret"
            type="password"
            autoComplete="new-password"
            required={kind === "generic"}
            minLength={16}
            hint="16 characters or more; required for generic webhooks"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
          />
        </div>
        <fieldset className="checkbox-group">
          <legend>Events</legend>
          {subscribable.map((t) => (
            <label key={t.type} title={t.description}>
              <input
                type="checkbox"
                checked={chosen.includes(t.type)}
                onChange={(e) => toggle(t.type, e.target.checked)}
              />{" "}
              <code>{t.type}</code> <span className="muted small">{t.description}</span>
            </label>
          ))}
        </fieldset>
        {create.error ? <ErrorMessage error={create.error} title="Not created" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={create.isPending || !name.trim() || !url.trim() || chosen.length === 0}
          >
            Create webhook
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
