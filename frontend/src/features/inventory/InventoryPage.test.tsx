import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SchemaResourceDetail, SchemaResourceRead } from "../../api/generated/schema";
import { page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const BUCKET_ID = "0190a1b2-0000-7000-8000-0000000000b1";
const ROLE_ID = "0190a1b2-0000-7000-8000-0000000000b2";
const FINDING_ID = "0190a1b2-0000-7000-8000-00000000f001";

function makeResource(overrides: Partial<SchemaResourceRead> = {}): SchemaResourceRead {
  return {
    id: BUCKET_ID,
    asset: "acme/payments",
    asset_id: "0190a1b2-0000-7000-8000-0000000000a1",
    provider: "aws",
    type: "aws_s3_bucket",
    address: "aws_s3_bucket.logs",
    cloud_id: "arn:aws:s3:::acme-logs",
    account_id: "111122223333",
    region: "eu-west-1",
    name: "acme-logs",
    tags: {},
    managed: true,
    active: true,
    findings: 2,
    first_seen_at: "2026-12-01T10:00:00Z",
    last_seen_at: "2026-12-03T10:00:00Z",
    retired_at: null,
    last_import_id: "0190a1b2-0000-7000-8000-0000000000c1",
    ...overrides,
  };
}

const bucket = makeResource();
const handMade = makeResource({
  id: ROLE_ID,
  type: "aws_iam_role",
  address: null,
  cloud_id: "arn:aws:iam::111122223333:role/ops-hand-made",
  name: null,
  region: null,
  managed: false,
  findings: 0,
});

const detail: SchemaResourceDetail = {
  ...bucket,
  tags: { env: "prod", team: "payments" },
  facts: [
    ["public", "true"],
    ["encryption", "none"],
  ],
  relations: [
    { kind: "role", target: "aws_iam_role.writer", resource_id: ROLE_ID },
    { kind: "vpc", target: "vpc-01", resource_id: null },
  ],
  finding_list: [
    {
      id: FINDING_ID,
      title: "S3 bucket is public",
      severity: "high",
      status: "active",
      via: "cloud_id",
    },
  ],
};

describe("InventoryPage", () => {
  it("lists resources with the URL's filters sent to the API", async () => {
    const api = mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/assets": [],
      "GET /api/v1/resources": page([bucket, handMade], 120, 50),
    });
    renderApp(
      "/inventory?provider=aws&managed=false&has_findings=true&drifted=true&q=logs&offset=50",
    );
    const rows = await screen.findAllByTestId("resource-row");
    expect(rows).toHaveLength(2);
    const first = rows[0] as HTMLElement;
    expect(within(first).getByRole("link", { name: "aws_s3_bucket.logs" })).toHaveAttribute(
      "href",
      `/inventory/${BUCKET_ID}`,
    );
    expect(first).toHaveTextContent("arn:aws:s3:::acme-logs");
    expect(first).toHaveTextContent("111122223333");
    expect(first).toHaveTextContent("eu-west-1");
    expect(first).toHaveTextContent("managed");
    expect(first).toHaveTextContent("active");
    // a resource without an address is named by its cloud id, and said to be made by hand
    const second = rows[1] as HTMLElement;
    expect(
      within(second).getByRole("link", { name: "arn:aws:iam::111122223333:role/ops-hand-made" }),
    ).toBeInTheDocument();
    expect(second).toHaveTextContent("unmanaged (created by hand)");
    expect(screen.getByRole("columnheader", { name: "Linked findings" })).toBeInTheDocument();

    const call = api.calls.find((c) => c.path === "/api/v1/resources");
    expect(call?.query.get("provider")).toBe("aws");
    expect(call?.query.get("managed")).toBe("false");
    expect(call?.query.get("has_findings")).toBe("true");
    expect(call?.query.get("drifted")).toBe("true");
    expect(call?.query.get("q")).toBe("logs");
    expect(call?.query.get("offset")).toBe("50");
    expect(call?.query.get("limit")).toBe("50");
    expect(call?.query.has("include_retired")).toBe(false);
    // the form shows what the URL says
    expect(screen.getByLabelText("Provider")).toHaveValue("aws");
    expect(screen.getByLabelText("Managed")).toHaveValue("false");
    expect(screen.getByLabelText("Drift")).toHaveValue("true");
    expect(screen.getByLabelText("Search")).toHaveValue("logs");
    expect(screen.getByText("51–100 of 120")).toBeInTheDocument();
  });

  it("writes the filters to the URL when applied, and pages through the URL", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/assets": [{ name: "acme/payments" }, { name: "acme/web" }],
      "GET /api/v1/resources": page([bucket], 120),
    });
    const { router } = renderApp("/inventory");
    await screen.findByTestId("resource-row");
    await userEvent.selectOptions(screen.getByLabelText("Asset"), "acme/web");
    await userEvent.type(screen.getByLabelText("Type"), "aws_s3_bucket");
    await userEvent.selectOptions(screen.getByLabelText("Managed"), "true");
    await userEvent.selectOptions(screen.getByLabelText("Findings"), "false");
    await userEvent.selectOptions(screen.getByLabelText("Drift"), "false");
    await userEvent.selectOptions(screen.getByLabelText("Retired"), "true");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() =>
      expect(router.state.location.search).toEqual({
        asset: "acme/web",
        type: "aws_s3_bucket",
        managed: true,
        has_findings: false,
        drifted: false,
        retired: true,
      }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ offset: 50 }));
    await userEvent.click(screen.getByRole("button", { name: "Clear" }));
    await waitFor(() => expect(router.state.location.search).toEqual({}));
  });

  it("tells how to fill an empty inventory", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "engineer" }),
      "GET /api/v1/assets": [],
      "GET /api/v1/resources": page([]),
    });
    renderApp("/inventory");
    expect(await screen.findByText("aspm ingest terraform.tfstate")).toBeInTheDocument();
    expect(screen.getByText(/terraform show -json plan\.out/)).toBeInTheDocument();
    const upload = screen.getByText(/upload the same files/).closest("p") as HTMLElement;
    expect(within(upload).getByRole("link", { name: "Imports" })).toHaveAttribute(
      "href",
      "/imports",
    );
  });

  it("says nothing matches when filters leave no resource", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/assets": [],
      "GET /api/v1/resources": page([]),
    });
    renderApp("/inventory?type=aws_kms_key");
    expect(await screen.findByText("No resource matches these filters.")).toBeInTheDocument();
    expect(screen.queryByText("aspm ingest terraform.tfstate")).toBeNull();
  });

  it("is in the navigation of every role", async () => {
    for (const role of ["viewer", "engineer"] as const) {
      mockApi({
        "GET /api/v1/auth/me": makeUser({ role }),
        "GET /api/v1/assets": [],
        "GET /api/v1/resources": page([]),
      });
      const { unmount } = renderApp("/inventory");
      const nav = await screen.findByRole("navigation", { name: /main/i });
      expect(within(nav).getByRole("link", { name: "Inventory" })).toHaveAttribute(
        "href",
        "/inventory",
      );
      unmount();
    }
  });
});

describe("ResourcePage", () => {
  it("shows identity, tags, facts, relations and linked findings with links", async () => {
    const api = mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/resources/{resource_id}": detail,
    });
    renderApp(`/inventory/${BUCKET_ID}`);
    expect(
      await screen.findByRole("heading", { level: 1, name: "aws_s3_bucket.logs" }),
    ).toBeInTheDocument();
    expect(api.calls.some((c) => c.path === `/api/v1/resources/${BUCKET_ID}`)).toBe(true);

    const identity = screen.getByTestId("resource-identity");
    expect(identity).toHaveTextContent("arn:aws:s3:::acme-logs");
    expect(identity).toHaveTextContent("111122223333");
    expect(within(identity).getByRole("link", { name: "acme/payments" })).toHaveAttribute(
      "href",
      "/inventory?asset=acme%2Fpayments",
    );
    expect(screen.getByTestId("resource-tags")).toHaveTextContent("envprod");
    const facts = screen.getByTestId("resource-facts");
    expect(within(facts).getByRole("rowheader", { name: "public" })).toBeInTheDocument();
    expect(facts).toHaveTextContent("encryptionnone");

    const relations = screen.getByTestId("resource-relations");
    expect(within(relations).getByRole("link", { name: "aws_iam_role.writer" })).toHaveAttribute(
      "href",
      `/inventory/${ROLE_ID}`,
    );
    // a target outside the inventory is named, not linked
    expect(within(relations).getByText("vpc-01").tagName).not.toBe("A");

    const linked = screen.getByTestId("linked-finding");
    expect(within(linked).getByRole("link", { name: "S3 bucket is public" })).toHaveAttribute(
      "href",
      `/findings/${FINDING_ID}`,
    );
    expect(linked).toHaveTextContent("high");
    expect(linked).toHaveTextContent("still detected");
    expect(linked).toHaveTextContent("cloud id");
    const breadcrumb = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(within(breadcrumb).getByRole("link", { name: "Inventory" })).toHaveAttribute(
      "href",
      "/inventory",
    );
  });

  it("says so when a resource has no findings, facts or relations", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/resources/{resource_id}": {
        ...detail,
        ...handMade,
        tags: {},
        facts: [],
        relations: [],
        finding_list: [],
      },
    });
    renderApp(`/inventory/${ROLE_ID}`);
    expect(
      await screen.findByRole("heading", {
        level: 1,
        name: "arn:aws:iam::111122223333:role/ops-hand-made",
      }),
    ).toBeInTheDocument();
    expect(screen.getByText("No finding is linked to this resource.")).toBeInTheDocument();
    expect(screen.getByText("No relations to other resources.")).toBeInTheDocument();
    expect(screen.getByText("No tags.")).toBeInTheDocument();
    expect(screen.getByText("unmanaged (created by hand)")).toBeInTheDocument();
  });
});
