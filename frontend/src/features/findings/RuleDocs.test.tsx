import { render, screen, within } from "@testing-library/react";
import { RuleDocs, referenceUrl } from "./RuleDocs";

const docs = [
  {
    tool: "prowler",
    rule_id: "s3_bucket_server_access_logging_enabled",
    url: "https://hub.prowler.com/check/s3_bucket_server_access_logging_enabled",
  },
  {
    tool: "tfsec",
    rule_id: "aws-s3-enable-bucket-logging",
    url: "https://avd.aquasec.com/misconfig/avd-aws-0089",
  },
  { tool: "trivy", rule_id: "AVD-AWS-0089", url: "https://avd.aquasec.com/misconfig/avd-aws-0089" },
  {
    tool: "securityhub",
    rule_id: "S3.9",
    url: "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-9",
  },
];

describe("RuleDocs", () => {
  it("links each tool's page once, the reporting tools' first", () => {
    render(<RuleDocs docs={docs} reportedBy={["securityhub"]} />);
    const links = within(screen.getByTestId("rule-docs")).getAllByRole("link");
    expect(links.map((a) => a.textContent)).toEqual([
      "securityhub S3.9",
      "prowler s3_bucket_server_access_logging_enabled",
      "tfsec aws-s3-enable-bucket-logging",
    ]);
    expect(links[0]).toHaveAttribute("href", docs[3]?.url);
    expect(links[0]).toHaveAttribute("rel", "noreferrer noopener");
  });

  it("shows nothing when no tool documents the rules", () => {
    const { container } = render(<RuleDocs docs={[]} reportedBy={["checkov"]} />);
    expect(container).toBeEmptyDOMElement();
  });
});

describe("referenceUrl", () => {
  it("links a rule id some tool documents, keeps URLs, and leaves other words alone", () => {
    expect(referenceUrl("AVD-AWS-0089", docs)).toBe(
      "https://avd.aquasec.com/misconfig/avd-aws-0089",
    );
    expect(referenceUrl("https://example.org/x", docs)).toBe("https://example.org/x");
    expect(referenceUrl("BC_AWS_LOGGING_33", docs)).toBeNull();
  });
});
