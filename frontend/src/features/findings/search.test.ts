import { exportHref, findingSearchSchema, toBulkFilter, toListQuery } from "./search";

describe("queue search params", () => {
  it("map comma lists and text filters to the findings API query", () => {
    const search = findingSearchSchema.parse({
      severity: "critical,high",
      triage: "new",
      sla: "overdue",
      priority: "P1,none",
      environment: "prod",
      q: "token",
      team: "mine",
      offset: 100,
    });
    expect(toListQuery(search)).toEqual({
      severity: ["critical", "high"],
      triage: ["new"],
      sla_status: ["overdue"],
      priority: ["P1", "none"],
      environment: ["prod"],
      q: "token",
      team: "mine",
      sort: "risk",
      descending: true,
      limit: 50,
      offset: 100,
      open: true,
    });
  });

  it("show open work unless the view says closed or all", () => {
    expect(toListQuery(findingSearchSchema.parse({})).open).toBe(true);
    expect(toListQuery(findingSearchSchema.parse({ view: "closed" })).open).toBe(false);
    expect(toListQuery(findingSearchSchema.parse({ view: "all" }))).not.toHaveProperty("open");
    expect(toListQuery(findingSearchSchema.parse({ view: "bogus" })).open).toBe(true);
  });

  it("export exactly the queue's selection, without paging", () => {
    const href = exportHref(
      findingSearchSchema.parse({ severity: "critical,high", q: "CKV_AWS_382", offset: 50 }),
      "xlsx",
    );
    const url = new URL(href, "http://x");
    expect(url.pathname).toBe("/api/v1/exports/findings");
    expect(url.searchParams.get("format")).toBe("xlsx");
    expect(url.searchParams.getAll("severity")).toEqual(["critical", "high"]);
    expect(url.searchParams.get("q")).toBe("CKV_AWS_382");
    expect(url.searchParams.get("open")).toBe("true");
    expect(url.searchParams.has("offset")).toBe(false);
    expect(url.searchParams.has("limit")).toBe(false);
  });

  it("take a number-looking search text as text", () => {
    // the router JSON-parses search values: ?q=1234 arrives as a number
    expect(findingSearchSchema.parse({ q: 1234 }).q).toBe("1234");
  });

  it("drop values a hand-edited link got wrong instead of failing the page", () => {
    const search = findingSearchSchema.parse({ sort: "nonsense", offset: -5, limit: 100000 });
    expect(search.sort).toBeUndefined();
    expect(search.offset).toBeUndefined();
    expect(search.limit).toBeUndefined();
    expect(toListQuery(search)).toMatchObject({ sort: "risk", offset: 0, limit: 50 });
  });

  it("send only priorities and environments the API knows", () => {
    const search = findingSearchSchema.parse({ priority: "P9,P2", environment: "moon,dev" });
    expect(toListQuery(search)).toMatchObject({ priority: ["P2"], environment: ["dev"] });
  });

  it("carry priority, environment, SLA, team and assignee into the bulk filter", () => {
    expect(
      toBulkFilter(
        findingSearchSchema.parse({ priority: "P1,none", environment: "prod", sla: "overdue" }),
      ),
    ).toMatchObject({ priority: ["P1", "none"], environment: ["prod"], sla_status: ["overdue"] });
    expect(toBulkFilter(findingSearchSchema.parse({ severity: "high" }))).toMatchObject({
      severity: ["high"],
      priority: [],
      environment: [],
      sla_status: [],
    });
    expect(toBulkFilter(findingSearchSchema.parse({ team: "mine", assignee: "me" }))).toMatchObject(
      { team: "mine", assignee: "me" },
    );
  });
});
