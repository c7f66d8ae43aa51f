import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";
import { viewLink, viewQuery, viewSearch } from "./savedViews";

const saved = {
  id: "00000000-0000-4000-8000-0000000000c1",
  name: "Prod criticals",
  query: "severity=critical,high&environment=prod",
  created_at: "2026-12-06T10:00:00Z",
  updated_at: "2026-12-06T10:00:00Z",
};

describe("saved views", () => {
  it("turns the queue's search into a link and back, without paging", () => {
    const query = viewQuery({ severity: "critical,high", asc: true, q: "a b", offset: 50 });
    expect(query).toBe("severity=critical,high&asc=true&q=a+b");
    expect(viewSearch(query)).toEqual({ severity: "critical,high", asc: true, q: "a b" });
    expect(viewLink(query, "https://aspm.example")).toBe(`https://aspm.example/findings?${query}`);
    expect(viewSearch("")).toEqual({});
  });

  it("opens a view from the navigation with its filters", async () => {
    const user = userEvent.setup();
    const { calls } = mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/findings": page([makeFinding({ title: "Leaked AWS key" })]),
      "GET /api/v1/views": [saved],
    });
    const { router } = renderApp("/findings");
    await screen.findByText("Leaked AWS key");
    const nav = screen.getByTestId("saved-views");
    await user.click(within(nav).getByText("Saved views (1)"));
    await user.click(within(nav).getByRole("link", { name: "Prod criticals" }));
    await waitFor(() =>
      expect(router.state.location.search).toEqual({
        severity: "critical,high",
        environment: "prod",
      }),
    );
    await waitFor(() => {
      const q = calls.filter((c) => c.path === "/api/v1/findings").at(-1)?.query;
      expect(q?.getAll("severity")).toEqual(["critical", "high"]);
      expect(q?.getAll("environment")).toEqual(["prod"]);
    });
    expect(within(nav).getByRole("link", { name: "Prod criticals" })).toHaveAttribute(
      "aria-current",
      "page",
    );
  });
});
