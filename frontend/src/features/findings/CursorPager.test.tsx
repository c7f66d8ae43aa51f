import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CursorPager, formatTotal } from "./CursorPager";

function setup(props: Partial<Parameters<typeof CursorPager>[0]> = {}) {
  const calls: string[] = [];
  render(
    <CursorPager
      from={1}
      shown={50}
      total={120}
      totalCapped={false}
      hasNext
      hasPrevious={false}
      onNext={() => calls.push("next")}
      onPrevious={() => calls.push("previous")}
      onFirst={() => calls.push("first")}
      {...props}
    />,
  );
  return calls;
}

describe("cursor pager", () => {
  it("says 10,000+ when the server capped the count", () => {
    expect(formatTotal(10_000, true)).toBe("10,000+");
    expect(formatTotal(9_999, false)).toBe("9,999");
    setup({ from: 51, total: 10_000, totalCapped: true });
    expect(screen.getByText("51–100 of 10,000+")).toBeInTheDocument();
  });

  it("goes forwards with the cursor and back only where it knows the way", async () => {
    const user = userEvent.setup();
    const calls = setup({ from: 101, hasPrevious: true });
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(screen.getByRole("button", { name: "Previous" }));
    await user.click(screen.getByRole("button", { name: "First" }));
    expect(calls).toEqual(["next", "previous", "first"]);
  });

  it("has no next page on the last one and no previous one on the first", () => {
    setup({ from: 1, shown: 7, total: 7, hasNext: false });
    expect(screen.getByText("1–7 of 7")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Previous" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "First" })).toBeDisabled();
  });

  it("shows an empty page as 0–0", () => {
    setup({ from: 1, shown: 0, total: 0, hasNext: false });
    expect(screen.getByText("0–0 of 0")).toBeInTheDocument();
  });
});
