import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

function setup(url: string, role: "security_lead" | "engineer" = "security_lead") {
  const findings = [
    makeFinding({ title: "Leaked AWS key", priority: "P1", risk_score: 950 }),
    makeFinding({ title: "Open S3 bucket", priority: "P2", risk_score: 700, severity: "medium" }),
  ];
  const api = mockApi({
    "GET /api/v1/auth/me": makeUser({ role }),
    "GET /api/v1/findings": page(findings, 120),
    "POST /api/v1/findings/bulk": (call: { body: { ids?: string[] } }) => ({
      action: "triage",
      changed: call.body.ids?.length ?? 120,
      ids: call.body.ids ?? [],
    }),
  });
  return { ...api, findings, ...renderApp(url) };
}

const listCalls = (calls: { method: string; path: string; query: URLSearchParams }[]) =>
  calls.filter((c) => c.method === "GET" && c.path === "/api/v1/findings");

describe("triage queue", () => {
  it("asks the API for what the URL's filters say, sorted by risk", async () => {
    const { calls } = setup("/findings?severity=critical,high&q=token&sla=overdue&offset=50");
    await screen.findByText("Leaked AWS key");
    const q = listCalls(calls).at(-1)?.query;
    expect(q?.getAll("severity")).toEqual(["critical", "high"]);
    expect(q?.get("q")).toBe("token");
    expect(q?.getAll("sla_status")).toEqual(["overdue"]);
    expect(q?.get("sort")).toBe("risk");
    expect(q?.get("descending")).toBe("true");
    expect(q?.get("offset")).toBe("50");
    // the filters show the URL's state
    expect(screen.getByRole("button", { name: "critical" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(screen.getByRole("button", { name: "low" })).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByLabelText("Search")).toHaveValue("token");
  });

  it("writes a changed filter into the URL, back to the first page, and refetches", async () => {
    const user = userEvent.setup();
    const { calls, router } = setup("/findings?offset=50");
    await screen.findByText("Leaked AWS key");
    await user.click(screen.getByRole("button", { name: "overdue" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ sla: "overdue" }));
    await waitFor(() =>
      expect(listCalls(calls).at(-1)?.query.getAll("sla_status")).toEqual(["overdue"]),
    );
    expect(listCalls(calls).at(-1)?.query.get("offset")).toBe("0");

    await user.type(screen.getByLabelText("Team"), "payments{Enter}");
    await waitFor(() =>
      expect(router.state.location.search).toEqual({ sla: "overdue", team: "payments" }),
    );
  });

  it("sorts on the server as the sort menu says", async () => {
    const user = userEvent.setup();
    const { calls, router } = setup("/findings");
    await screen.findByText("Leaked AWS key");
    await user.selectOptions(screen.getByLabelText("Sort by"), "Oldest first");
    await waitFor(() =>
      expect(router.state.location.search).toEqual({ sort: "first_seen", asc: true }),
    );
    await waitFor(() => expect(listCalls(calls).at(-1)?.query.get("descending")).toBe("false"));
    expect(listCalls(calls).at(-1)?.query.get("sort")).toBe("first_seen");
  });

  it("pages with the server's cursor, forwards and back, and says 10,000+ past 10,000", async () => {
    const user = userEvent.setup();
    const rows = (n: number) =>
      Array.from({ length: 50 }, (_, i) => makeFinding({ title: `Finding ${n + i}` }));
    const pages: Record<string, unknown> = {
      "": { ...page(rows(1), 10_000), total_capped: true, next_cursor: "c2" },
      c2: { ...page(rows(51), 10_000), total_capped: true, next_cursor: "c3" },
      c3: { ...page(rows(101).slice(0, 7), 10_000), total_capped: true, next_cursor: null },
    };
    const { calls } = mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "security_lead" }),
      "GET /api/v1/findings": (call: { query: URLSearchParams }) =>
        pages[call.query.get("after") ?? ""],
    });
    const { router } = renderApp("/findings");
    await screen.findByText("1–50 of 10,000+");
    expect(screen.getByText(/10,000\+ open findings/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Previous" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ after: "c2", page: 2 }));
    await screen.findByText("51–100 of 10,000+");
    const asked = listCalls(calls).at(-1)?.query;
    expect(asked?.get("after")).toBe("c2");
    expect(asked?.has("offset")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByText("101–107 of 10,000+");
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Previous" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ after: "c2", page: 2 }));
    await user.click(screen.getByRole("button", { name: "Previous" }));
    await waitFor(() => expect(router.state.location.search).toEqual({}));
    await screen.findByText("1–50 of 10,000+");
  });

  it("starts again at the first page when a filter changes, and keeps old offset links", async () => {
    const user = userEvent.setup();
    const { calls, router } = setup("/findings?after=c9&page=4");
    await screen.findByText("151–152 of 120");
    expect(listCalls(calls).at(-1)?.query.get("after")).toBe("c9");
    await user.click(screen.getByRole("button", { name: "overdue" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ sla: "overdue" }));
    await waitFor(() => expect(listCalls(calls).at(-1)?.query.has("after")).toBe(false));

    await router.navigate({ to: "/findings", search: { offset: 100 } });
    await screen.findByText("101–102 of 120");
    expect(listCalls(calls).at(-1)?.query.get("offset")).toBe("100");
  });

  it("moves with j/k, selects with x and opens with Enter", async () => {
    const user = userEvent.setup();
    const { router, findings } = setup("/findings");
    await screen.findByText("Leaked AWS key");
    const rows = () => screen.getAllByRole("row").slice(1);
    expect(rows()[0]).toHaveClass("row-active");
    await user.keyboard("j");
    expect(rows()[1]).toHaveClass("row-active");
    await user.keyboard("x");
    expect(within(rows()[1] as HTMLElement).getByRole("checkbox")).toBeChecked();
    expect(screen.getByRole("region", { name: "Bulk actions" })).toHaveTextContent("1 selected");
    await user.keyboard("k");
    expect(rows()[0]).toHaveClass("row-active");
    await user.keyboard("{Enter}");
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/findings/${findings[0]?.id}`),
    );
  });

  it("accepts the risk of the selected findings until a date, with one justification", async () => {
    const user = userEvent.setup();
    const { calls, findings } = setup("/findings");
    // biome-ignore lint/suspicious/noDocumentCookie: the CSRF cookie the server would have set
    document.cookie = "aspm_csrf=csrf-123";
    await screen.findByText("Leaked AWS key");
    await user.click(screen.getByRole("checkbox", { name: "Select all on this page" }));
    await user.click(screen.getByRole("button", { name: "Accept risk…" }));
    const dialog = await screen.findByRole("dialog", { name: /Accept the risk \(2\)/ });
    const date = within(dialog).getByLabelText("Accepted until");
    await user.clear(date);
    await user.type(date, "2027-03-31");
    await user.type(within(dialog).getByLabelText("Justification"), "Compensating WAF rule");
    await user.click(within(dialog).getByRole("button", { name: "Apply to 2" }));

    await screen.findByText("Accept the risk: 2 findings updated.");
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/findings/bulk");
    expect(post?.body).toEqual({
      ids: findings.map((f) => f.id),
      reason: "Compensating WAF rule",
      action: "triage",
      state: "accepted_risk",
      expires_at: "2027-03-31T23:59:59Z",
    });
    expect(post?.headers.get("X-CSRF-Token")).toBe("csrf-123");
  });

  it("confirms every finding the filters select, beyond this page, by filter", async () => {
    const user = userEvent.setup();
    const { calls } = setup("/findings?severity=critical&tool=trivy");
    await screen.findByText("Leaked AWS key");
    await user.click(screen.getByRole("checkbox", { name: "Select all on this page" }));
    await user.click(screen.getByRole("button", { name: "Select all 120 matching" }));
    const bar = screen.getByRole("region", { name: "Bulk actions" });
    expect(bar).toHaveTextContent("120 matching the filters selected");
    await user.click(within(bar).getByRole("button", { name: "Confirm…" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("Justification"), "triaged in review");
    await user.click(within(dialog).getByRole("button", { name: "Apply to 120" }));
    await screen.findByText(/Confirm findings:/);
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/findings/bulk");
    expect(post?.body).toEqual({
      filter: {
        assignee: null,
        team: null,
        asset: null,
        category: null,
        q: null,
        tool: "trivy",
        severity: ["critical"],
        status: [],
        triage: [],
        priority: [],
        environment: [],
        sla_status: [],
        open: true,
        import_id: null,
        suppressed: "exclude",
      },
      reason: "triaged in review",
      action: "triage",
      state: "confirmed",
    });
  });

  it("offers a by-filter selection for a team filter too (the server resolves it)", async () => {
    const user = userEvent.setup();
    setup("/findings?team=payments");
    await screen.findByText("Leaked AWS key");
    await user.click(screen.getByRole("checkbox", { name: "Select all on this page" }));
    await user.click(screen.getByRole("button", { name: "Select all 120 matching" }));
    expect(screen.getByRole("region", { name: "Bulk actions" })).toHaveTextContent(
      "120 matching the filters selected",
    );
  });

  it("offers no selection or bulk actions to an engineer", async () => {
    setup("/findings", "engineer");
    await screen.findByText("Leaked AWS key");
    expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Bulk actions" })).not.toBeInTheDocument();
  });
});
