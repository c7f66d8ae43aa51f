import { render, screen, within } from "@testing-library/react";
import { RiskExplanation } from "./RiskExplanation";

describe("RiskExplanation", () => {
  it("lists each factor with its value, weight and source", () => {
    render(
      <RiskExplanation
        priority="P1"
        score={912}
        factors={[
          {
            factor: "exposure",
            value: "internet",
            multiplier: 2,
            source: "asset payments-api",
            text: "reachable from the internet",
          },
          {
            factor: "exploit_maturity",
            value: "known_exploited",
            multiplier: 1.75,
            source: "CISA KEV",
            text: "exploited in the wild",
          },
        ]}
      />,
    );
    expect(screen.getByText(/orders it within/)).toHaveTextContent(
      "Priority P1; risk score 912 orders it within P1",
    );
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    const first = within(rows[0] as HTMLElement);
    expect(first.getByRole("rowheader")).toHaveTextContent("exposure");
    expect(first.getByText("internet")).toBeInTheDocument();
    expect(first.getByText("×2.0")).toBeInTheDocument();
    expect(first.getByText("asset payments-api")).toBeInTheDocument();
    expect(first.getByText("reachable from the internet")).toBeInTheDocument();
    const second = within(rows[1] as HTMLElement);
    expect(second.getByRole("rowheader")).toHaveTextContent("exploit maturity");
    expect(second.getByText("×1.75")).toBeInTheDocument();
  });

  it("shows the rule that decided, the combination step and a toxic path", () => {
    render(
      <RiskExplanation
        priority="P2"
        score={66}
        factors={[
          {
            factor: "severity",
            value: "8 (high)",
            multiplier: 8,
            source: "severity label",
            text: "",
          },
          {
            factor: "toxic_combination",
            value: "Internet-exposed compute with an admin IAM role",
            multiplier: 1.3,
            source: "internet -> aws_instance.api -> role admin",
            text: "",
          },
          {
            factor: "curve",
            value: "r = 10.4",
            multiplier: 35.27,
            source: "policy",
            text: "Combined: r = 10.4; score = 100 x ln(1 + r) / ln(1 + 35.27)",
          },
          {
            factor: "decision",
            value: "P2",
            multiplier: 1,
            source: "rule 5 of the decision table: toxic combination",
            text: "",
          },
        ]}
      />,
    );
    expect(screen.getByText(/orders it within/)).toHaveTextContent(
      "Priority P2 (rule 5 of the decision table: toxic combination); risk score 66",
    );
    const path = screen.getByRole("list", { name: "Toxic combination path" });
    expect(
      within(path)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["internet", "aws_instance.api", "role admin"]);
    expect(screen.getByText(/ln\(1 \+ 35.27\)/)).toBeInTheDocument();
    // steps of the formula are not rows of the factor table
    expect(screen.getAllByRole("row")).toHaveLength(3);
  });

  it("says a finding the table gives no priority has none", () => {
    render(<RiskExplanation priority={null} score={0} factors={[]} />);
    expect(screen.getByText(/No priority/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("says when the finding is not scored yet", () => {
    render(<RiskExplanation priority={null} score={null} factors={[]} />);
    expect(screen.getByText(/Not scored yet/)).toBeInTheDocument();
  });
});
