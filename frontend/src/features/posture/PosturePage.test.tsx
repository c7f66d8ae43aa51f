import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SchemaMetricInfo, SchemaMetricName } from "../../api/generated/schema";
import { makeUser, mockApi, type RecordedCall } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const ALL: SchemaMetricName[] = [
  "posture",
  "mttr",
  "sla",
  "net_resolve_rate",
  "violations_blocked",
  "drift",
  "coverage",
  "iac_coverage",
  "compliance",
];

function info(name: SchemaMetricName): SchemaMetricInfo {
  return {
    name,
    title: name,
    definition: `${name} defined`,
    unit: "",
    group_by: ["none"],
    series: true,
    source: "",
  };
}

function metric(call: RecordedCall) {
  const name = call.path.split("/").pop() ?? "";
  const groupBy = call.query.get("group_by");
  const previous = call.query.get("end") === "2026-09-03";
  const rows =
    name === "posture" && previous
      ? [
          // the previous period's last snapshot: P1 fell by 2, P2 rose by 1, risk by 50
          { day: "2026-09-03", [groupBy ?? "none"]: "P1", open_count: 9, open_risk: 800 },
          { day: "2026-09-03", [groupBy ?? "none"]: "P2", open_count: 1, open_risk: 0 },
        ]
      : name === "posture"
        ? [
            // an older snapshot day that must not count in "now"
            { day: "2026-12-02", [groupBy ?? "none"]: "P1", open_count: 50, open_risk: 5000 },
            { day: "2026-12-03", [groupBy ?? "none"]: "P1", open_count: 7, open_risk: 700 },
            { day: "2026-12-03", [groupBy ?? "none"]: "P2", open_count: 3, open_risk: 150 },
          ]
        : name === "iac_coverage"
          ? [{ cloud_resources: 19, managed: 16, unmanaged: 3, iac_coverage: 16 / 19 }]
          : [];
  return {
    metric: name,
    title: name,
    definition: `${name} defined`,
    period: { start: "2026-09-04T00:00:00Z", end: "2026-12-03T00:00:00Z", days: 90 },
    group_by: groupBy,
    interval: call.query.get("interval"),
    filters: {},
    columns: rows.length ? Object.keys(rows[0] ?? {}) : ["evaluations"],
    rows,
    notes: name === "violations_blocked" ? ["no gate evaluations recorded in the period"] : [],
  };
}

function setup(catalogue: SchemaMetricName[] = ALL) {
  return mockApi({
    "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
    "GET /api/v1/auth/directory": { users: [], teams: ["payments", "web"] },
    "GET /api/v1/assets": [],
    "GET /api/v1/metrics": catalogue.map(info),
    "GET /api/v1/metrics/{name}": metric,
  });
}

describe("PosturePage", () => {
  it("shows the latest snapshot's totals, not a sum over the period's days", async () => {
    setup();
    renderApp("/posture");
    const list = await screen.findByLabelText(
      /Latest snapshot \(2026-12-03\)/,
      {},
      { timeout: 5000 },
    );
    expect(within(list).getByText("Open findings").nextSibling).toHaveTextContent("10");
    expect(within(list).getByText("Open risk").nextSibling).toHaveTextContent("850");
    expect(within(list).getByText("P1 open").nextSibling).toHaveTextContent("7");
  });

  it("says plainly when the server does not offer a metric, and asks nothing for it", async () => {
    const api = setup(ALL.filter((m) => m !== "drift"));
    renderApp("/posture");
    const drift = await screen.findByTestId("chart-drift", {}, { timeout: 5000 });
    await waitFor(() =>
      expect(drift).toHaveTextContent(/Not available yet: this server does not compute the drift/),
    );
    expect(within(drift).queryByText("Download CSV")).not.toBeInTheDocument();
    await waitFor(() => expect(api.calls.some((c) => c.path.endsWith("/coverage"))).toBe(true));
    expect(api.calls.some((c) => c.path.endsWith("/metrics/drift"))).toBe(false);
  });

  it("shows the IaC coverage next to the drift chart, linking the unmanaged resources", async () => {
    const api = setup();
    renderApp("/posture");
    const card = await screen.findByTestId("iac-coverage", {}, { timeout: 5000 });
    await waitFor(() =>
      expect(within(card).getByTestId("iac-coverage-figure")).toHaveTextContent(
        "IaC coverage: 84% of 19 live cloud resources are managed by Terraform (3 unmanaged)",
      ),
    );
    expect(
      within(card).getByRole("link", { name: "Unmanaged resources in the inventory" }),
    ).toHaveAttribute("href", "/inventory?managed=false");
    expect(screen.getByTestId("chart-drift").nextElementSibling).toBe(card);
    const call = api.calls.find((c) => c.path.endsWith("/metrics/iac_coverage"));
    expect(call?.query.get("format")).toBe("json");
  });

  it("says when no live cloud resource is in the inventory", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/metrics": ALL.map(info),
      "GET /api/v1/metrics/{name}": (call: RecordedCall) => {
        const result = metric(call);
        return result.metric === "iac_coverage"
          ? {
              ...result,
              columns: ["cloud_resources", "managed", "unmanaged", "iac_coverage"],
              rows: [{ cloud_resources: 0, managed: 0, unmanaged: 0, iac_coverage: null }],
            }
          : result;
      },
    });
    renderApp("/posture");
    const card = await screen.findByTestId("iac-coverage", {}, { timeout: 5000 });
    await waitFor(() =>
      expect(card).toHaveTextContent("No live cloud resource in the inventory yet."),
    );
    expect(within(card).queryByRole("link", { name: /Unmanaged/ })).not.toBeInTheDocument();
  });

  it("shows a metric's notes when it has no rows", async () => {
    setup();
    renderApp("/posture");
    const card = await screen.findByTestId("chart-violations", {}, { timeout: 5000 });
    await waitFor(() => expect(card).toHaveTextContent("No data in this period."));
    expect(card).toHaveTextContent("no gate evaluations recorded in the period");
  });

  it("holds the period in the URL and asks every metric for it, CSV links included", async () => {
    const api = setup();
    const { router } = renderApp("/posture?period=30d");
    const select = await screen.findByLabelText("Period", {}, { timeout: 5000 });
    expect(select).toHaveValue("30d");
    await waitFor(() =>
      expect(api.calls.filter((c) => c.path.endsWith("/metrics/sla")).length).toBeGreaterThan(0),
    );
    expect(api.calls.find((c) => c.path.endsWith("/metrics/sla"))?.query.get("period")).toBe("30d");
    const sla = screen.getByTestId("chart-sla");
    expect(within(sla).getByRole("link", { name: /Download CSV of / })).toHaveAttribute(
      "href",
      "/api/v1/metrics/sla?period=30d&group_by=priority&format=csv",
    );

    await userEvent.selectOptions(select, "1y");
    await waitFor(() => expect(router.state.location.search).toEqual({ period: "1y" }));
    await waitFor(() =>
      expect(
        api.calls.some((c) => c.path.endsWith("/metrics/drift") && c.query.get("period") === "1y"),
      ).toBe(true),
    );
    // a year is bucketed by month
    const drift = api.calls.filter(
      (c) => c.path.endsWith("/metrics/drift") && c.query.get("period") === "1y",
    );
    expect(drift[0]?.query.get("interval")).toBe("month");
  });

  it("shows each tile's change against the previous period's last snapshot", async () => {
    const api = setup();
    renderApp("/posture");
    await screen.findByLabelText(/Latest snapshot \(2026-12-03\)/, {}, { timeout: 5000 });
    // the previous period ends the day before this one starts (period.start 2026-09-04)
    await waitFor(() =>
      expect(screen.getByTestId("kpi-open-change")).toHaveTextContent("no change since 03 Sept"),
    );
    expect(screen.getByTestId("kpi-open-risk-change")).toHaveTextContent("+50 since 03 Sept");
    expect(screen.getByTestId("kpi-open-risk-change")).toHaveTextContent("up");
    expect(screen.getByTestId("kpi-p1-change")).toHaveTextContent("−2 since");
    expect(screen.getByTestId("kpi-p1-change")).toHaveTextContent("down");
    const prev = api.calls.find((c) => c.path.endsWith("/metrics/posture") && c.query.get("end"));
    expect(prev?.query.get("period")).toBe("90d");
    expect(prev?.query.get("group_by")).toBe("priority");
  });

  it("scopes every figure to the team, asset and environment in the URL", async () => {
    const user = userEvent.setup();
    const api = setup();
    const { router } = renderApp("/posture?team=payments&environment=prod");
    const team = await screen.findByLabelText("Team", {}, { timeout: 5000 });
    await waitFor(() => expect(team).toHaveValue("payments"));
    expect(screen.getByLabelText("Environment")).toHaveValue("prod");
    await waitFor(() =>
      expect(api.calls.some((c) => c.path.endsWith("/metrics/compliance"))).toBe(true),
    );
    const metricCalls = api.calls.filter((c) => c.path.startsWith("/api/v1/metrics/"));
    expect(metricCalls.length).toBeGreaterThan(8);
    for (const call of metricCalls) {
      expect([call.path, call.query.get("team"), call.query.get("environment")]).toEqual([
        call.path,
        "payments",
        "prod",
      ]);
    }
    expect(
      within(screen.getByTestId("chart-sla")).getByRole("link", { name: /Download CSV of / }),
    ).toHaveAttribute(
      "href",
      "/api/v1/metrics/sla?team=payments&environment=prod&period=90d&group_by=priority&format=csv",
    );
    await user.selectOptions(team, "web");
    await waitFor(() =>
      expect(router.state.location.search).toEqual({ team: "web", environment: "prod" }),
    );
    await waitFor(() =>
      expect(
        api.calls.some((c) => c.path.endsWith("/metrics/drift") && c.query.get("team") === "web"),
      ).toBe(true),
    );
  });
});
