import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeFindingDetail } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";
import { similarDraft } from "./SuppressionPanel";

describe("suppress similar", () => {
  it("drafts a rule for the control on the asset under the finding's directory", () => {
    expect(
      similarDraft({
        control_id: "CKV_AWS_18",
        asset: "acme/web",
        path: "tests/fixtures/main.tf",
        resource: "aws_s3_bucket.logs",
      }),
    ).toEqual({ rule: "CKV_AWS_18", asset: "acme/web", path_glob: "tests/fixtures/**" });
    expect(
      similarDraft({ control_id: "c", asset: "a", path: null, resource: "arn:aws:s3:::b" }),
    ).toEqual({ rule: "c", asset: "a", resource_pattern: "arn:aws:s3:::b" });
  });

  it("opens the rule dialog prefilled from the finding page, with a preview", async () => {
    const finding = makeFindingDetail({
      control_id: "generic-api-key",
      asset: "acme/web",
      path: "tests/keys/a.env",
    });
    const { calls } = mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/views": [],
      "GET /api/v1/findings/{id}": finding,
      "GET /api/v1/assets/{name}": { name: "acme/web", owner_team: null },
      "GET /api/v1/findings/{id}/comments": { items: [], total: 0, limit: 500, offset: 0 },
      "GET /api/v1/findings/{id}/history": { items: [], total: 0, limit: 500, offset: 0 },
      "GET /api/v1/auth/directory": { users: [], teams: [] },
      "POST /api/v1/suppression-rules/preview": {
        findings: 37,
        open: 30,
        already_suppressed: 0,
        items: [],
      },
    });
    renderApp(`/findings/${finding.id}`);
    const panel = await screen.findByTestId("suppression-panel");
    expect(panel).toHaveTextContent("No suppression rule hides this finding");
    await userEvent.click(within(panel).getByRole("button", { name: "Suppress similar…" }));
    const dialog = await screen.findByRole("dialog", { name: "Suppress similar findings" });
    expect(within(dialog).getByLabelText("Rule")).toHaveValue("generic-api-key");
    expect(within(dialog).getByLabelText("Asset")).toHaveValue("acme/web");
    expect(within(dialog).getByLabelText("Path")).toHaveValue("tests/keys/**");
    await userEvent.click(within(dialog).getByRole("button", { name: "Preview" }));
    expect(await within(dialog).findByTestId("suppression-preview")).toHaveTextContent(
      "This rule hides 37 findings (30 open)",
    );
    await waitFor(() =>
      expect(calls.some((c) => c.path === "/api/v1/suppression-rules/preview")).toBe(true),
    );
  });

  it("says which rule hides a suppressed finding, who wrote it, why and until when", async () => {
    const finding = makeFindingDetail({
      suppression_rule_id: "00000000-0000-4000-8000-0000000000c1",
    });
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/views": [],
      "GET /api/v1/findings/{id}": finding,
      "GET /api/v1/assets/{name}": { name: finding.asset, owner_team: null },
      "GET /api/v1/findings/{id}/comments": { items: [], total: 0, limit: 500, offset: 0 },
      "GET /api/v1/findings/{id}/history": { items: [], total: 0, limit: 500, offset: 0 },
      "GET /api/v1/suppression-rules": [
        {
          id: "00000000-0000-4000-8000-0000000000c1",
          tool: null,
          rule: null,
          asset: null,
          path_glob: "tests/**",
          resource_pattern: null,
          justification: "fixtures",
          author: "user:lead",
          approver: null,
          expires_at: "2027-03-01T00:00:00Z",
          created_at: "2026-12-01T00:00:00Z",
          ended_at: null,
          ended_reason: null,
          findings: 3,
        },
      ],
    });
    renderApp(`/findings/${finding.id}`);
    const panel = await screen.findByTestId("suppression-panel");
    await waitFor(() => expect(panel).toHaveTextContent("path tests/**"));
    expect(panel).toHaveTextContent("user:lead");
    expect(panel).toHaveTextContent("fixtures");
    expect(panel).toHaveTextContent("01 Mar 2027");
    expect(within(panel).queryByRole("button")).not.toBeInTheDocument(); // a viewer
  });
});
