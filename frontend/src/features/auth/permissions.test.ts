import { makeUser } from "../../test/mockApi";
import { canActOnFinding, canBulkTriage, homeFor } from "./permissions";

describe("who may act on a finding", () => {
  const finding = { assignee: null, team: "payments" };

  it("lets admins and security leads act on everything", () => {
    expect(canActOnFinding(makeUser({ role: "admin" }), finding)).toBe(true);
    expect(canActOnFinding(makeUser({ role: "security_lead" }), finding)).toBe(true);
  });

  it("lets an engineer act on their team's findings and on findings assigned to them", () => {
    const eng = makeUser({ role: "engineer", username: "eve", teams: ["payments"] });
    expect(canActOnFinding(eng, finding)).toBe(true);
    expect(canActOnFinding(eng, { assignee: null, team: "web" })).toBe(false);
    expect(canActOnFinding(eng, { assignee: "eve", team: "web" })).toBe(true);
  });

  it("never lets a viewer act", () => {
    const viewer = makeUser({ role: "viewer", username: "vic", teams: ["payments"] });
    expect(canActOnFinding(viewer, { assignee: "vic", team: "payments" })).toBe(false);
  });

  it("lets an engineer act on findings of assets their team owns", () => {
    const eng = makeUser({ role: "engineer", teams: ["platform"] });
    expect(canActOnFinding(eng, { assignee: null, team: null, owner_team: "platform" })).toBe(true);
  });

  it("keeps bulk triage for the security team", () => {
    expect(canBulkTriage(makeUser({ role: "engineer" }))).toBe(false);
    expect(canBulkTriage(makeUser({ role: "security_lead" }))).toBe(true);
  });

  it("sends engineers to their own findings, viewers to posture and the security team to the queue", () => {
    expect(homeFor("engineer")).toBe("/my");
    expect(homeFor("viewer")).toBe("/posture");
    expect(homeFor("security_lead")).toBe("/findings");
    expect(homeFor("admin")).toBe("/findings");
  });
});
