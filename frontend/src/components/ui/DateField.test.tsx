import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { DateField, parseDay } from "./DateField";

describe("parseDay", () => {
  it.each([
    ["06 Dec 2026", "2026-12-06"],
    ["6 dec 2026", "2026-12-06"],
    ["6 December 2026", "2026-12-06"],
    ["06 Dec. 2026", "2026-12-06"],
    ["2026-12-06", "2026-12-06"],
    [" 29 Feb 2028 ", "2028-02-29"],
  ])("reads %j as %s", (text, iso) => {
    expect(parseDay(text)).toBe(iso);
  });

  it.each(["12/06/2026", "06/12/2026", "31 Feb 2026", "06 Foo 2026", "tomorrow", ""])(
    "refuses %j",
    (text) => {
      expect(parseDay(text)).toBeNull();
    },
  );
});

function Harness({ initial = "", min }: { initial?: string; min?: string }) {
  const [value, setValue] = useState(initial);
  return (
    <form aria-label="form">
      <DateField
        label="Accepted until"
        value={value}
        min={min}
        onChange={(e) => setValue(e.target.value)}
      />
      <output data-testid="value">{value}</output>
    </form>
  );
}

describe("DateField", () => {
  it("shows the day as the page writes dates, never mm/dd/yyyy", () => {
    render(<Harness initial="2026-12-06" />);
    const input = screen.getByRole("textbox", { name: "Accepted until" });
    expect(input).toHaveValue("06 Dec 2026");
    expect(input).toHaveAttribute("placeholder", "DD Mon YYYY");
    // the only date-typed input lends its picker and is hidden from people and assistive tech
    const native = document.querySelector('input[type="date"]');
    expect(native).toHaveAttribute("aria-hidden", "true");
    expect(native).toHaveAttribute("tabindex", "-1");
  });

  it("passes a typed day on as YYYY-MM-DD and tidies it on leaving", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const input = screen.getByRole("textbox", { name: "Accepted until" });
    await user.type(input, "7 jan 2027");
    expect(screen.getByTestId("value")).toHaveTextContent("2027-01-07");
    await user.tab();
    expect(input).toHaveValue("07 Jan 2027");
  });

  it("says what it wants for a date it cannot read, and blocks the form", async () => {
    const user = userEvent.setup();
    render(<Harness initial="2026-12-06" />);
    const input = screen.getByRole("textbox", { name: "Accepted until" });
    await user.clear(input);
    await user.type(input, "12/31/2026");
    await user.tab();
    expect(screen.getByRole("alert")).toHaveTextContent("Write a date like 06 Dec 2026.");
    expect((input as HTMLInputElement).validity.valid).toBe(false);
    expect(screen.getByTestId("value")).toHaveTextContent("");
  });

  it("refuses a day before the minimum", async () => {
    const user = userEvent.setup();
    render(<Harness min="2026-12-07" />);
    const input = screen.getByRole("textbox", { name: "Accepted until" });
    await user.type(input, "2026-12-01");
    await user.tab();
    expect(screen.getByRole("alert")).toHaveTextContent("Choose 07 Dec 2026 or later.");
  });

  it("describes its calendar button by the field, so the label names only the text box", () => {
    render(<Harness />);
    const button = screen.getByRole("button", { name: "Calendar" });
    expect(button).toHaveAccessibleDescription("Accepted until");
    expect(screen.getAllByLabelText(/Accepted until/)).toHaveLength(1);
  });
});
