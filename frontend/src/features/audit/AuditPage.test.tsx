import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const event = {
  id: 7,
  at: "2026-12-03T10:00:00Z",
  actor: "user:lead",
  action: "triage",
  object_type: "finding",
  object_id: "0190a1b2-0000-7000-8000-00000000beef",
  from_value: "new",
  to_value: "confirmed",
  reason: "reproduced on staging",
  details: { version: 3 },
};

describe("AuditPage", () => {
  it("asks the API with the URL's filters and shows who changed what, why", async () => {
    const api = mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/audit": page([event]),
    });
    renderApp("/audit?actor=user:lead&action=triage");
    const row = await screen.findByTestId("audit-row");
    expect(row).toHaveTextContent("new → confirmed");
    expect(row).toHaveTextContent("reproduced on staging");
    expect(screen.getByRole("link", { name: "…0000beef" })).toHaveAttribute(
      "href",
      `/findings/${event.object_id}`,
    );
    const call = api.calls.find((c) => c.path === "/api/v1/audit");
    expect(call?.query.get("actor")).toBe("user:lead");
    expect(call?.query.getAll("action")).toEqual(["triage"]);
    expect(screen.getByLabelText("Actor")).toHaveValue("user:lead");
  });

  it("writes the filters to the URL when applied", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/audit": page([]),
    });
    const { router } = renderApp("/audit");
    await screen.findByText("No event matches these filters.");
    await userEvent.selectOptions(screen.getByLabelText("Object type"), "asset");
    await userEvent.type(screen.getByLabelText("From (UTC)"), "2026-12-01");
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() =>
      expect(router.state.location.search).toEqual({ object_type: "asset", since: "2026-12-01" }),
    );
  });
});
