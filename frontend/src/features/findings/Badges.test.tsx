import { render, screen } from "@testing-library/react";
import { PriorityBadge, SeverityBadge, SlaBadge, TriageBadge } from "./Badges";

describe("SeverityBadge", () => {
  it("names the severity and carries its colour class", () => {
    render(<SeverityBadge severity="critical" />);
    const badge = screen.getByText("critical");
    expect(badge).toHaveClass("badge-critical");
    expect(badge).toHaveAttribute("title", "Severity: critical");
  });
});

describe("PriorityBadge", () => {
  it.each([
    ["P1", "badge-critical"],
    ["P2", "badge-high"],
    ["P3", "badge-medium"],
    ["P4", "badge-low"],
  ])("shows %s with the tone of its urgency", (priority, cls) => {
    render(<PriorityBadge priority={priority} />);
    expect(screen.getByText(priority)).toHaveClass(cls);
  });

  it("shows a dash, explained, when the finding has no priority", () => {
    render(<PriorityBadge priority={null} />);
    expect(screen.getByText("–")).toHaveAttribute("title", expect.stringMatching(/not scored/));
  });
});

describe("TriageBadge", () => {
  it("writes the state in words", () => {
    render(<TriageBadge state="false_positive" />);
    expect(screen.getByText("false positive")).toBeInTheDocument();
  });
});

describe("SlaBadge", () => {
  const now = new Date("2026-12-03T12:00:00Z");

  it("says how late an overdue finding is", () => {
    render(<SlaBadge status="overdue" dueAt="2026-12-01T12:00:00Z" now={now} />);
    expect(screen.getByText("2 days overdue")).toHaveClass("badge-critical");
  });

  it("warns when the due date is near", () => {
    render(<SlaBadge status="due_soon" dueAt="2026-12-06T12:00:00Z" now={now} />);
    expect(screen.getByText("due in 3 days")).toHaveClass("badge-warn");
  });

  it("is calm when on track", () => {
    render(<SlaBadge status="on_track" dueAt="2027-01-30T12:00:00Z" now={now} />);
    expect(screen.getByText("due in 58 days")).toHaveClass("badge-ok");
  });

  it("shows nothing overdue for a finding the server gives no SLA status (fixed or closed)", () => {
    render(<SlaBadge status={null} dueAt="2026-10-01T12:00:00Z" now={now} />);
    expect(screen.queryByText(/overdue/)).not.toBeInTheDocument();
    expect(screen.getByTitle(/No SLA/)).toHaveTextContent("–");
  });
});
