import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SchemaAssetRead } from "../../api/generated/schema";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const asset: SchemaAssetRead = {
  id: "00000000-0000-4000-8000-0000000000a1",
  name: "acme/payments",
  kind: "repository",
  key: "https://git.example/acme/payments",
  environment: "prod",
  exposure: "internet",
  data_sensitivity: "restricted",
  data_tags: ["pci"],
  criticality: 1,
  owner_team: "payments",
  match: [
    { repositories: ["acme/payments"], paths: [], accounts: [], regions: [], tags: {}, arns: [] },
  ],
  findings: 12,
  created_at: "2026-12-01T00:00:00Z",
  updated_at: "2026-12-01T00:00:00Z",
};

const posture = {
  metric: "posture",
  title: "",
  definition: "",
  period: { start: "2026-11-26T00:00:00Z", end: "2026-12-03T00:00:00Z", days: 7 },
  group_by: "asset",
  interval: null,
  filters: {},
  columns: ["day", "asset", "open_count", "open_risk"],
  rows: [
    { day: "2026-12-02", asset: "acme/payments", open_count: 15, open_risk: 9999 },
    { day: "2026-12-03", asset: "acme/payments", open_count: 12, open_risk: 4321 },
  ],
  notes: [],
};

const unassigned: SchemaAssetRead = {
  ...asset,
  id: "00000000-0000-4000-8000-0000000000a2",
  name: "unassigned",
  kind: "unassigned",
  match: [],
};

function setup(role: "security_lead" | "viewer") {
  return mockApi({
    "GET /api/v1/auth/me": makeUser({ role }),
    "GET /api/v1/assets": [asset, unassigned],
    "GET /api/v1/metrics/{name}": posture,
    "PUT /api/v1/assets/{name}": (call: { body: unknown }) => ({
      ...asset,
      ...(call.body as object),
    }),
  });
}

describe("AssetsPage", () => {
  it("lists each asset's context, open findings (linked to the queue) and latest risk", async () => {
    setup("viewer");
    renderApp("/assets");
    const [row] = await screen.findAllByTestId("asset-row");
    if (!row) throw new Error("no asset row");
    expect(row).toHaveTextContent("acme/payments");
    expect(row).toHaveTextContent("prod");
    expect(row).toHaveTextContent("internet");
    expect(row).toHaveTextContent("restricted");
    expect(row).toHaveTextContent("tier 1");
    expect(
      within(row).getByRole("link", { name: /12 open findings of acme\/payments/ }),
    ).toHaveAttribute("href", "/findings?asset=acme%2Fpayments");
    await waitFor(() => expect(row).toHaveTextContent("4,321"));
    // a viewer has no edit action
    expect(within(row).queryByRole("button", { name: /Edit/ })).not.toBeInTheDocument();
  });

  it("lets a lead edit the context and keeps the match rules as they were", async () => {
    const api = setup("security_lead");
    renderApp("/assets");
    await userEvent.click(await screen.findByRole("button", { name: "Edit acme/payments" }));
    // findings no asset claims have no context to edit
    expect(screen.queryByRole("button", { name: "Edit unassigned" })).not.toBeInTheDocument();
    const dialog = screen.getByRole("dialog", { name: "Edit acme/payments" });
    await userEvent.selectOptions(within(dialog).getByLabelText("Exposure"), "internal");
    await userEvent.selectOptions(within(dialog).getByLabelText("Criticality"), "2");
    await userEvent.clear(within(dialog).getByLabelText("Data tags"));
    await userEvent.type(within(dialog).getByLabelText("Data tags"), "pci, pii");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await screen.findByText(/Saved acme\/payments/);
    const put = api.calls.find((c) => c.method === "PUT");
    expect(put?.path).toBe("/api/v1/assets/acme%2Fpayments");
    expect(put?.headers.get("Content-Type")).toContain("application/json");
    expect(put?.body).toEqual({
      kind: "repository",
      key: "https://git.example/acme/payments",
      match: asset.match,
      environment: "prod",
      exposure: "internal",
      data_sensitivity: "restricted",
      criticality: 2,
      owner_team: "payments",
      data_tags: ["pci", "pii"],
      repository_url: null,
      default_branch: null,
    });
  });

  it("sets where the asset's code lives", async () => {
    const api = setup("security_lead");
    renderApp("/assets");
    await userEvent.click(await screen.findByRole("button", { name: "Edit acme/payments" }));
    const dialog = screen.getByRole("dialog", { name: "Edit acme/payments" });
    await userEvent.type(
      within(dialog).getByLabelText("Repository URL"),
      "  git@github.com:acme/payments.git ",
    );
    await userEvent.type(within(dialog).getByLabelText("Default branch"), "main");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await screen.findByText(/Saved acme\/payments/);
    const put = api.calls.find((c) => c.method === "PUT");
    expect(put?.body).toMatchObject({
      repository_url: "git@github.com:acme/payments.git",
      default_branch: "main",
    });
  });

  it("sends the repository URL and branch back unchanged when another field is edited", async () => {
    const located = {
      ...asset,
      repository_url: "https://gitlab.com/acme/payments",
      default_branch: "trunk",
    };
    const api = mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "security_lead" }),
      "GET /api/v1/assets": [located],
      "GET /api/v1/metrics/{name}": posture,
      "PUT /api/v1/assets/{name}": (call: { body: unknown }) => ({
        ...located,
        ...(call.body as object),
      }),
    });
    renderApp("/assets");
    await userEvent.click(await screen.findByRole("button", { name: "Edit acme/payments" }));
    const dialog = screen.getByRole("dialog", { name: "Edit acme/payments" });
    expect(within(dialog).getByLabelText("Repository URL")).toHaveValue(
      "https://gitlab.com/acme/payments",
    );
    expect(within(dialog).getByLabelText("Default branch")).toHaveValue("trunk");
    await userEvent.selectOptions(within(dialog).getByLabelText("Exposure"), "internal");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await screen.findByText(/Saved acme\/payments/);
    expect(api.calls.find((c) => c.method === "PUT")?.body).toMatchObject({
      exposure: "internal",
      repository_url: "https://gitlab.com/acme/payments",
      default_branch: "trunk",
    });
  });
});
