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
    expect(screen.getByText(/puts this finding at/)).toHaveTextContent(
      "Risk score 912 puts this finding at P1",
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

  it("says a finding below every threshold has no priority", () => {
    render(<RiskExplanation priority={null} score={40} factors={[]} />);
    expect(screen.getByText(/below every priority threshold/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("says when the finding is not scored yet", () => {
    render(<RiskExplanation priority={null} score={null} factors={[]} />);
    expect(screen.getByText(/Not scored yet/)).toBeInTheDocument();
  });
});
