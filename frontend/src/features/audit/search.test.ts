import { auditSearchSchema, toAuditQuery } from "./search";

describe("audit search", () => {
  it("maps URL filters to the API: actions split, whole UTC days for the time range", () => {
    const search = auditSearchSchema.parse({
      actor: "user:lead",
      action: "triage, assigned",
      object_type: "finding",
      since: "2026-12-01",
      until: "2026-12-31",
      offset: "50",
    });
    expect(toAuditQuery(search)).toEqual({
      limit: 50,
      offset: 50,
      actor: "user:lead",
      action: ["triage", "assigned"],
      object_type: "finding",
      since: "2026-12-01T00:00:00Z",
      until: "2027-01-01T00:00:00Z",
    });
  });

  it("drops values that are not what they claim to be", () => {
    const search = auditSearchSchema.parse({ object_id: "not-a-uuid", since: "yesterday" });
    expect(toAuditQuery(search)).toEqual({ limit: 50, offset: 0 });
  });
});
