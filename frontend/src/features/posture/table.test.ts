import { formatCell, latestRows, pivot, toCsv } from "./table";

describe("pivot", () => {
  it("turns rows per day and priority into one row per day, filling missing priorities with 0", () => {
    const rows = [
      { period: "2026-12-01", priority: "P2", open_risk: 20 },
      { period: "2026-12-01", priority: "P1", open_risk: 100 },
      { period: "2026-12-02", priority: "P1", open_risk: 90 },
    ];
    const { data, series } = pivot(rows, "period", "priority", "open_risk", ["P1", "P2", "P3"]);
    expect(series).toEqual(["P1", "P2"]);
    expect(data).toEqual([
      { period: "2026-12-01", P1: 100, P2: 20 },
      { period: "2026-12-02", P1: 90, P2: 0 },
    ]);
  });
});

describe("latestRows", () => {
  it("keeps only the last snapshot day of a level metric", () => {
    const rows = [
      { day: "2026-12-02", team: "web", open_count: 5 },
      { day: "2026-12-03", team: "web", open_count: 3 },
      { day: "2026-12-03", team: "data", open_count: 1 },
    ];
    expect(latestRows(rows)).toEqual(rows.slice(1));
  });
});

describe("toCsv", () => {
  it("quotes separators and neutralises spreadsheet formulas", () => {
    const csv = toCsv(
      ["team", "note", "n"],
      [
        { team: "a,b", note: 'say "hi"', n: 3 },
        { team: "=cmd()", note: null, n: 0 },
      ],
    );
    expect(csv).toBe('team,note,n\r\n"a,b","say ""hi""",3\r\n\'=cmd(),,0\r\n');
  });
});

describe("formatCell", () => {
  it("shows shares as percentages and other numbers grouped", () => {
    expect(formatCell("sla_compliance", 0.8571)).toBe("85.7%");
    expect(formatCell("open_risk", 12197)).toBe("12,197");
    expect(formatCell("mttr_days", 3.256)).toBe("3.26");
    expect(formatCell("net_resolve_rate", null)).toBe("–");
  });
});
