import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const webhook = {
  id: "00000000-0000-4000-8000-0000000000w1",
  name: "chat",
  kind: "slack",
  url_hint: "https://hooks.slack.com/…",
  has_secret: false,
  events: ["findings.new_p1", "gate.failed"],
  active: true,
  created_by: "user:lead",
  created_at: "2026-12-01T00:00:00Z",
  updated_at: "2026-12-01T00:00:00Z",
};
const delivered = {
  id: "00000000-0000-4000-8000-0000000000d1",
  webhook_id: webhook.id,
  event_id: "00000000-0000-4000-8000-0000000000e1",
  event_type: "webhook.test",
  status: "delivered",
  attempts: 2,
  created_at: "2026-12-01T00:00:00Z",
  next_attempt_at: null,
  last_attempt_at: "2026-12-01T00:00:30Z",
  delivered_at: "2026-12-01T00:00:30Z",
  response_code: 200,
  duration_ms: 42,
  error: null,
  attempt_log: [],
};
const eventTypes = [
  { type: "findings.new_p1", description: "an import created open P1 findings", example: {} },
  { type: "gate.failed", description: "a recorded gate evaluation failed", example: {} },
  { type: "webhook.test", description: "the send-test button", example: {} },
];

function setup() {
  return mockApi({
    "GET /api/v1/auth/me": makeUser({ role: "security_lead" }),
    "GET /api/v1/webhooks": [webhook],
    "GET /api/v1/webhooks/event-types": eventTypes,
    "GET /api/v1/webhooks/{id}/deliveries": { items: [delivered], total: 1, limit: 50, offset: 0 },
    "POST /api/v1/webhooks/{id}/test": delivered,
    "POST /api/v1/webhooks": (call: { body: unknown }) => ({
      ...webhook,
      id: "00000000-0000-4000-8000-0000000000w2",
      ...(call.body as object),
    }),
  });
}

describe("WebhooksPage", () => {
  it("lists webhooks without their URL and shows the delivery log", async () => {
    setup();
    renderApp("/webhooks");
    const table = await screen.findByTestId("webhooks");
    expect(table).toHaveTextContent("https://hooks.slack.com/…");
    expect(table).toHaveTextContent("Slack incoming webhook");
    const log = await screen.findByTestId("deliveries");
    expect(log).toHaveTextContent("webhook.test");
    expect(log).toHaveTextContent("delivered");
    expect(log).toHaveTextContent("42 ms");
  });

  it("sends a test and says how it went", async () => {
    const api = setup();
    renderApp("/webhooks");
    await userEvent.click(await screen.findByRole("button", { name: "Send a test to chat" }));
    expect(await screen.findByTestId("test-result")).toHaveTextContent("Test delivered (HTTP 200)");
    expect(api.calls.some((c) => c.method === "POST" && c.path.endsWith("/test"))).toBe(true);
  });

  it("creates a webhook with the chosen events and a write-only secret", async () => {
    const api = setup();
    renderApp("/webhooks");
    await userEvent.click(await screen.findByRole("button", { name: "New webhook" }));
    const dialog = screen.getByRole("dialog", { name: "New webhook" });
    await userEvent.type(within(dialog).getByLabelText("Name"), "ci");
    await userEvent.type(within(dialog).getByLabelText("URL"), "https://ci.example.com/hook");
    await userEvent.type(within(dialog).getByLabelText("Signing secret"), "0123456789abcdef");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /gate.failed/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create webhook" }));
    await waitFor(() =>
      expect(screen.queryByRole("dialog", { name: "New webhook" })).not.toBeInTheDocument(),
    );
    const post = api.calls.find((c) => c.method === "POST" && c.path === "/api/v1/webhooks");
    expect(post?.body).toEqual({
      name: "ci",
      kind: "generic",
      url: "https://ci.example.com/hook",
      secret: "0123456789abcdef",
      events: ["findings.new_p1"],
      active: true,
    });
  });
});
