import { render, screen } from "@testing-library/react";
import { CodeLocation, lineSpan, RuleLink, webUrl } from "./CodeLink";

const at = {
  path: "infra/main.tf",
  start_line: 10,
  end_line: 12,
  code_url: "https://github.com/acme/pay/blob/4f2c1e9/infra/main.tf#L10-L12",
};

describe("CodeLocation", () => {
  it("links the file and lines to the repository when the server built a link", () => {
    render(<CodeLocation d={at} />);
    const link = screen.getByRole("link", { name: "infra/main.tf:10-12" });
    expect(link).toHaveAttribute("href", at.code_url);
    expect(link).toHaveAttribute("target", "_blank");
    expect(link).toHaveAttribute("rel", "noreferrer noopener");
  });

  it("shows the location as text without a link, or with anything but a web address", () => {
    const { rerender } = render(<CodeLocation d={{ ...at, code_url: null }} />);
    expect(screen.queryByRole("link")).not.toBeInTheDocument();
    expect(screen.getByText("infra/main.tf:10-12")).toBeInTheDocument();
    rerender(<CodeLocation d={{ ...at, code_url: "javascript:alert(1)" }} />);
    expect(screen.queryByRole("link")).not.toBeInTheDocument();
  });

  it("reads one line, a range, or the file alone", () => {
    expect(lineSpan({ ...at, end_line: 10, start_line: 10 })).toBe("infra/main.tf:10");
    expect(lineSpan({ ...at, end_line: null })).toBe("infra/main.tf:10");
    expect(lineSpan({ ...at, start_line: null, end_line: null })).toBe("infra/main.tf");
    expect(webUrl("HTTPS://x.example/a")).toBe("HTTPS://x.example/a");
    expect(webUrl("data:text/html,x")).toBeNull();
  });
});

describe("RuleLink", () => {
  it("links the rule id to the page its report names, else shows it as text", () => {
    const rule = { tool: "checkov", rule_id: "CKV_AWS_18" };
    const { rerender } = render(
      <RuleLink d={{ ...rule, rule_url: "https://docs.prismacloud.io/s3-13-enable-logging" }} />,
    );
    expect(screen.getByRole("link", { name: "CKV_AWS_18" })).toHaveAttribute(
      "href",
      "https://docs.prismacloud.io/s3-13-enable-logging",
    );
    rerender(<RuleLink d={{ ...rule, rule_url: null }} />);
    expect(screen.queryByRole("link")).not.toBeInTheDocument();
    expect(screen.getByText("CKV_AWS_18")).toBeInTheDocument();
  });
});
