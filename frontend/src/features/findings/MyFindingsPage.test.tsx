import { screen, within } from "@testing-library/react";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

describe("my findings", () => {
  it("asks for open work assigned to me and my teams, by priority then due date", async () => {
    const p2Soon = makeFinding({
      title: "P2 due soon",
      priority: "P2",
      sla_due_at: "2026-12-05T00:00:00Z",
    });
    const p1Late = makeFinding({
      title: "P1 due late",
      priority: "P1",
      sla_due_at: "2027-01-30T00:00:00Z",
    });
    const p1Soon = makeFinding({
      title: "P1 due soon",
      priority: "P1",
      sla_due_at: "2026-12-06T00:00:00Z",
    });
    const { calls } = mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "engineer", username: "eng", teams: ["web"] }),
      "GET /api/v1/findings": (call: { query: URLSearchParams }) =>
        call.query.get("assignee") === "me" ? page([p1Soon, p1Late, p2Soon]) : page([]),
    });
    renderApp("/my");
    const mine = await screen.findByRole("region", { name: /^Assigned to me · 3/ });
    const titles = within(mine)
      .getAllByRole("link")
      .map((a) => a.textContent)
      .filter((t) => t?.startsWith("P"));
    expect(titles).toEqual(["P1 due soon", "P1 due late", "P2 due soon"]);
    await screen.findByText("Your teams have no open findings.");

    const queries = calls.filter((c) => c.path === "/api/v1/findings").map((c) => c.query);
    const assigned = queries.find((q) => q.get("assignee") === "me");
    const team = queries.find((q) => q.get("team") === "mine");
    for (const q of [assigned, team]) {
      expect(q?.getAll("triage")).toEqual(["new", "confirmed", "in_progress"]);
      expect(q?.getAll("status")).toEqual(["active"]);
      expect(q?.get("sort")).toBe("priority");
    }
  });
});
