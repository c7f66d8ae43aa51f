import { screen, within } from "@testing-library/react";
import type { SchemaCodeToCloudRead } from "../../api/generated/schema";
import { makeFindingDetail, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const RESOURCE_ID = "7d1f0c4e-0000-4000-8000-000000000001";
const DRIFT_ID = "7d1f0c4e-0000-4000-8000-000000000002";
const OTHER_DRIFT_ID = "7d1f0c4e-0000-4000-8000-000000000004";

function c2c(overrides: Partial<SchemaCodeToCloudRead> = {}): SchemaCodeToCloudRead {
  return {
    via: "cloud_id",
    resource: {
      id: RESOURCE_ID,
      asset: "payments-api",
      asset_id: "7d1f0c4e-0000-4000-8000-000000000003",
      provider: "aws",
      type: "aws_s3_bucket",
      address: "aws_s3_bucket.logs",
      cloud_id: "arn:aws:s3:::acme-logs",
      account_id: "123456789012",
      region: "eu-west-1",
      managed: true,
      active: true,
    },
    in_code: { path: "infra/s3.tf", start_line: 12, tool: "checkov", asset: "payments-api" },
    in_cloud: {
      cloud_id: "arn:aws:s3:::acme-logs",
      account_id: "123456789012",
      region: "eu-west-1",
    },
    drift: [],
    ...overrides,
  } as SchemaCodeToCloudRead;
}

function setup(codeToCloud: SchemaCodeToCloudRead | null) {
  const finding = makeFindingDetail({ title: "S3 bucket without logging" });
  const detail = { ...finding, code_to_cloud: codeToCloud };
  mockApi({
    "GET /api/v1/auth/me": makeUser(),
    "GET /api/v1/findings/{id}": detail,
    "GET /api/v1/assets/{name}": { name: finding.asset, owner_team: "platform" },
    "GET /api/v1/findings/{id}/comments": page([]),
    "GET /api/v1/findings/{id}/history": page([]),
  });
  renderApp(`/findings/${finding.id}`);
}

async function section() {
  const heading = await screen.findByRole("heading", { name: "Code to cloud" });
  return within(heading.closest("section") as HTMLElement);
}

describe("finding page: code to cloud", () => {
  it("shows nothing when the finding has no resource", async () => {
    setup(null);
    await screen.findByRole("heading", { name: "S3 bucket without logging", level: 1 });
    expect(screen.queryByRole("heading", { name: "Code to cloud" })).not.toBeInTheDocument();
    expect(screen.queryByTestId("code-to-cloud")).not.toBeInTheDocument();
  });

  it("shows a managed resource in code and in the cloud, with its inventory link", async () => {
    setup(c2c());
    const s = await section();
    const inCode = s.getByTestId("in-code");
    expect(within(inCode).getByText("infra/s3.tf:12").tagName).toBe("CODE");
    expect(within(inCode).getByText("aws_s3_bucket.logs").tagName).toBe("CODE");
    expect(s.getByText("In code").tagName).toBe("DT");
    expect(s.getByTestId("in-cloud")).toHaveTextContent(
      "arn:aws:s3:::acme-logs (account 123456789012, eu-west-1)",
    );
    expect(s.getByRole("link", { name: /Inventory: aws_s3_bucket\.logs/ })).toHaveAttribute(
      "href",
      `/inventory/${RESOURCE_ID}`,
    );
    expect(s.queryByTestId("unmanaged")).not.toBeInTheDocument();
    expect(s.queryByRole("list", { name: "Drift" })).not.toBeInTheDocument();
  });

  it("says an unmanaged resource is in no Terraform state", async () => {
    const base = c2c();
    setup(
      c2c({
        resource: { ...base.resource, managed: false, address: null },
        in_code: null,
      }),
    );
    const s = await section();
    expect(s.getByTestId("unmanaged")).toHaveTextContent("Unmanaged: no Terraform state holds it");
    expect(s.getByTestId("in-code")).toHaveTextContent("not in code");
    expect(s.getByRole("link", { name: /Inventory: arn:aws:s3:::acme-logs/ })).toBeInTheDocument();
  });

  it("lists each drift finding with its date, linking to it", async () => {
    setup(
      c2c({
        drift: [
          {
            id: DRIFT_ID,
            title: "Bucket versioning disabled outside Terraform",
            severity: "medium",
            first_seen_at: "2026-11-28T08:00:00Z",
          },
          {
            id: OTHER_DRIFT_ID,
            title: "Drift: logging of aws_s3_bucket changed outside Terraform",
            severity: "high",
            first_seen_at: "2026-10-25T09:04:00Z",
          },
        ],
      }),
    );
    const s = await section();
    const items = within(s.getByRole("list", { name: "Drift" })).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const item = items[0] as HTMLElement;
    expect(item).toHaveTextContent(
      "Drift: Bucket versioning disabled outside Terraform since 28 Nov 2026",
    );
    expect(
      within(item).getByRole("link", { name: "Bucket versioning disabled outside Terraform" }),
    ).toHaveAttribute("href", `/findings/${DRIFT_ID}`);
    expect(within(item).getByText("28 Nov 2026").tagName).toBe("TIME");
    // a title that already says "Drift:" does not say it twice
    const other = items[1] as HTMLElement;
    expect(other).toHaveTextContent(
      "Drift: logging of aws_s3_bucket changed outside Terraform since 25 Oct 2026",
    );
    expect(
      within(other).getByRole("link", {
        name: "logging of aws_s3_bucket changed outside Terraform",
      }),
    ).toHaveAttribute("href", `/findings/${OTHER_DRIFT_ID}`);
  });
});
