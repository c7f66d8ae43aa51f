import { screen, waitFor } from "@testing-library/react";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";
import { pageTitle } from "./DocumentTitle";

describe("pageTitle", () => {
  it.each([
    ["/findings", "Triage queue"],
    ["/findings/", "Triage queue"],
    ["/findings/0a49d5e2-0000-4000-8000-000000000001", "Finding"],
    ["/my", "My findings"],
    ["/posture", "Posture"],
    ["/inventory/abc", "Resource"],
    ["/imports", "Imports"],
    ["/login", "Sign in"],
    ["/password", "Choose your password"],
    ["/nowhere", "Not found"],
  ])("names %s %j", (path, title) => {
    expect(pageTitle(path)).toBe(title);
  });
});

describe("DocumentTitle", () => {
  it("sets the tab's title from the page", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/audit": { items: [], total: 0, limit: 50, offset: 0 },
    });
    renderApp("/audit");
    await screen.findByRole("heading", { name: "Audit trail", level: 1 });
    await waitFor(() => expect(document.title).toBe("Audit · ASPM"));
  });
});
