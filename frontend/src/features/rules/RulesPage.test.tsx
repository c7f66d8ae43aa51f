import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";
import { describeMatch } from "./SuppressionRules";

const suppression = {
  id: "00000000-0000-4000-8000-0000000000c1",
  tool: "gitleaks",
  rule: null,
  asset: null,
  path_glob: "tests/**",
  resource_pattern: null,
  justification: "test fixtures hold fake keys",
  author: "user:lead",
  approver: "ciso",
  expires_at: "2027-03-01T00:00:00Z",
  created_at: "2026-12-01T00:00:00Z",
  ended_at: null,
  ended_reason: null,
  findings: 4,
};
const ownership = {
  id: "00000000-0000-4000-8000-0000000000c2",
  position: 0,
  asset: null,
  path_glob: "services/pay/**",
  resource_pattern: null,
  team: "payments",
  author: "user:lead",
  created_at: "2026-12-01T00:00:00Z",
};

const hidden = {
  id: "00000000-0000-4000-8000-0000000000f1",
  title: "AWS key in a test",
  severity: "high",
  priority: "P3",
  risk_score: 40,
  asset: "acme/web",
  path: "tests/keys.env",
  resource: null,
  detector_state: "active",
  triage_state: "new",
  open: true,
};

function setup(role: "security_lead" | "viewer") {
  return mockApi({
    "GET /api/v1/auth/me": makeUser({ role }),
    "GET /api/v1/suppression-rules": [suppression],
    "GET /api/v1/ownership-rules": [ownership],
    "POST /api/v1/suppression-rules/preview": {
      findings: 2,
      open: 1,
      already_suppressed: 0,
      items: [hidden, { ...hidden, id: "f2", title: "Fixture key", open: false }],
    },
    "GET /api/v1/suppression-rules/{id}/findings": {
      items: [hidden],
      total: 1,
      limit: 100,
      offset: 0,
    },
    "POST /api/v1/suppression-rules": (call: { body: unknown }) => ({
      ...suppression,
      ...(call.body as object),
    }),
  });
}

describe("describeMatch", () => {
  it("names every criterion of a rule", () => {
    expect(describeMatch(suppression)).toBe("tool gitleaks · path tests/**");
  });
});

describe("RulesPage", () => {
  it("shows each rule's match, justification, approver, expiry and matches; read-only for a viewer", async () => {
    setup("viewer");
    renderApp("/rules");
    const table = await screen.findByTestId("suppression-rules");
    expect(table).toHaveTextContent("tool gitleaks · path tests/**");
    expect(table).toHaveTextContent("test fixtures hold fake keys");
    expect(table).toHaveTextContent("approved by ciso");
    expect(table).toHaveTextContent("01 Mar 2027");
    expect(table).toHaveTextContent("in force");
    expect(await screen.findByTestId("ownership-rules")).toHaveTextContent("payments");
    expect(screen.queryByRole("button", { name: /New|End|Delete/ })).not.toBeInTheDocument();
  });

  it("lets a lead create a suppression rule with a justification and an expiry", async () => {
    const api = setup("security_lead");
    renderApp("/rules");
    await userEvent.click(await screen.findByRole("button", { name: "New suppression rule" }));
    const dialog = screen.getByRole("dialog", { name: "New suppression rule" });
    const create = within(dialog).getByRole("button", { name: "Create rule" });
    expect(create).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText("Rule"), "aws-*");
    await userEvent.type(within(dialog).getByLabelText("Justification"), "rotated keys");
    await userEvent.type(within(dialog).getByLabelText("Expires on"), "2027-01-15");
    // saving needs the preview of these criteria first
    expect(create).toBeDisabled();
    await userEvent.click(within(dialog).getByRole("button", { name: "Preview" }));
    const preview = await within(dialog).findByTestId("suppression-preview");
    expect(preview).toHaveTextContent("This rule hides 2 findings (1 open)");
    expect(within(preview).getByRole("link", { name: "AWS key in a test" })).toBeInTheDocument();
    expect(within(preview).getByRole("link", { name: "Fixture key" })).toBeInTheDocument();
    expect(api.calls.find((c) => c.path === "/api/v1/suppression-rules/preview")?.body).toEqual({
      tool: null,
      rule: "aws-*",
      asset: null,
      path_glob: null,
      resource_pattern: null,
    });
    // changing a criterion asks for a new preview
    await userEvent.type(within(dialog).getByLabelText("Tool"), "x");
    expect(create).toBeDisabled();
    expect(preview).toHaveTextContent("preview again");
    await userEvent.clear(within(dialog).getByLabelText("Tool"));
    await waitFor(() => expect(create).toBeEnabled());
    await userEvent.click(create);
    await waitFor(() =>
      expect(
        screen.queryByRole("dialog", { name: "New suppression rule" }),
      ).not.toBeInTheDocument(),
    );
    const post = api.calls.find(
      (c) => c.method === "POST" && c.path === "/api/v1/suppression-rules",
    );
    expect(post?.body).toEqual({
      tool: null,
      rule: "aws-*",
      asset: null,
      path_glob: null,
      resource_pattern: null,
      justification: "rotated keys",
      approver: null,
      expires_at: "2027-01-15T23:59:59Z",
    });
  });

  it("shows what a rule hides, with who wrote it, why and until when", async () => {
    setup("viewer");
    renderApp("/rules");
    await userEvent.click(
      await screen.findByRole("button", { name: /Show the 4 findings hidden by/ }),
    );
    const panel = await screen.findByTestId("rule-findings");
    expect(panel).toHaveTextContent("By user:lead, approved by ciso");
    expect(panel).toHaveTextContent("until 01 Mar 2027");
    expect(panel).toHaveTextContent("test fixtures hold fake keys");
    expect(await within(panel).findByRole("link", { name: "AWS key in a test" })).toHaveAttribute(
      "href",
      `/findings/${hidden.id}`,
    );
  });
});
