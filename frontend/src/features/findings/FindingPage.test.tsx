import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeDetection, makeFindingDetail, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const finding = makeFindingDetail({
  title: "Hard-coded AWS key",
  team: "payments",
  version: 4,
  priority: "P1",
  risk_score: 930,
  risk_explanation: [
    { factor: "exposure", value: "internet", multiplier: 2, source: "asset", text: "public" },
  ],
  detection_list: [
    makeDetection({
      tool: "gitleaks",
      path: "config/aws.py",
      start_line: 3,
      end_line: 3,
      snippet: "key = AKIA****",
    }),
    makeDetection({
      tool: "prowler",
      path: null,
      start_line: null,
      end_line: null,
      resource: "arn:aws:iam::123456789012:user/ci",
      resource_type: "AwsIamUser",
      cloud_provider: "aws",
      account_id: "123456789012",
      region: "eu-west-1",
    }),
  ],
});

function setup(user = makeUser()) {
  const api = mockApi({
    "GET /api/v1/auth/me": user,
    "GET /api/v1/findings/{id}": finding,
    "GET /api/v1/assets/{name}": { name: finding.asset, owner_team: "platform" },
    "GET /api/v1/findings/{id}/comments": page([
      {
        id: "c1",
        finding_id: finding.id,
        author: "lead",
        body: "Rotate today",
        created_at: "2026-12-02T09:00:00Z",
      },
    ]),
    "GET /api/v1/findings/{id}/history": page([
      {
        id: 1,
        at: "2026-12-02T09:00:00Z",
        actor: "user:lead",
        action: "finding.triage",
        object_type: "finding",
        object_id: finding.id,
        from_value: "new",
        to_value: "confirmed",
        reason: "real key",
        details: {},
      },
    ]),
    "POST /api/v1/findings/{id}/triage": {
      id: finding.id,
      triage_state: "confirmed",
      assignee: null,
      team: "payments",
      version: 5,
    },
  });
  return { ...api, ...renderApp(`/findings/${finding.id}`) };
}

describe("finding page", () => {
  it("shows why it is P1, every detection's location, comments and history", async () => {
    setup();
    await screen.findByRole("heading", { name: "Hard-coded AWS key", level: 1 });
    expect(screen.getByRole("heading", { name: "Why P1" })).toBeInTheDocument();
    expect(screen.getByTestId("risk-score")).toHaveTextContent("930");
    expect(screen.getByText("config/aws.py:3")).toBeInTheDocument();
    expect(screen.getByText("key = AKIA****")).toBeInTheDocument();
    expect(screen.getByText("arn:aws:iam::123456789012:user/ci")).toBeInTheDocument();
    expect(screen.getByText("AWS · account 123456789012 · eu-west-1")).toBeInTheDocument();
    expect(screen.getByText("PCI-DSS")).toBeInTheDocument();
    expect(await screen.findByText("Rotate today")).toBeInTheDocument();
    expect(await screen.findByText("“real key”")).toBeInTheDocument();
  });

  it("gives a security lead every triage action, and sends the version it saw", async () => {
    const user = userEvent.setup();
    const { calls } = setup(makeUser({ role: "security_lead" }));
    const actions = await screen.findByRole("group", { name: "Finding actions" });
    for (const name of [
      "Confirm",
      "Start work",
      "Accept risk…",
      "False positive…",
      "Won't fix…",
      "Assign…",
    ]) {
      expect(within(actions).getByRole("button", { name })).toBeInTheDocument();
    }
    await user.click(within(actions).getByRole("button", { name: "Confirm" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toEqual({ state: "confirmed", version: 4 });
  });

  it("gives an engineer of the finding's team its actions", async () => {
    setup(makeUser({ role: "engineer", username: "eng", teams: ["payments"] }));
    const actions = await screen.findByRole("group", { name: "Finding actions" });
    expect(within(actions).getByRole("button", { name: "Start work" })).toBeInTheDocument();
    expect(within(actions).getByRole("button", { name: "Accept risk…" })).toBeInTheDocument();
  });

  it("gives an engineer of the asset's owner team its actions", async () => {
    setup(makeUser({ role: "engineer", username: "eng", teams: ["platform"] }));
    const actions = await screen.findByRole("group", { name: "Finding actions" });
    expect(within(actions).getByRole("button", { name: "Confirm" })).toBeInTheDocument();
  });

  it("shows no actions or comment box to an engineer of another team", async () => {
    setup(makeUser({ role: "engineer", username: "eng", teams: ["web"] }));
    await screen.findByTestId("no-actions");
    expect(screen.queryByRole("group", { name: "Finding actions" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Add a comment")).not.toBeInTheDocument();
  });

  it("shows the risk acceptance in force of an accepted finding", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/findings/{id}": { ...finding, triage_state: "accepted_risk" },
      "GET /api/v1/assets/{name}": { name: finding.asset, owner_team: "payments" },
      "GET /api/v1/findings/{id}/comments": page([]),
      "GET /api/v1/findings/{id}/history": page([]),
      "GET /api/v1/findings/{id}/risk-acceptance": {
        id: "a1",
        finding_id: finding.id,
        justification: "WAF rule 42 blocks it",
        approver: "ciso",
        requested_by: "user:lead",
        expires_at: "2027-03-31T23:59:59Z",
        created_at: "2026-12-01T00:00:00Z",
        ended_at: null,
        ended_reason: null,
      },
    });
    renderApp(`/findings/${finding.id}`);
    const box = await screen.findByTestId("risk-acceptance");
    expect(box).toHaveTextContent("31 Mar 2027");
    expect(box).toHaveTextContent("WAF rule 42 blocks it");
    expect(box).toHaveTextContent("ciso");
  });

  it("shows no actions to a viewer", async () => {
    setup(makeUser({ role: "viewer", username: "vic" }));
    await screen.findByTestId("no-actions");
    expect(screen.queryByRole("button", { name: "Confirm" })).not.toBeInTheDocument();
  });
});
