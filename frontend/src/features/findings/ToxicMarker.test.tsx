import { screen, within } from "@testing-library/react";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

describe("toxic marker", () => {
  it("marks the rows whose risk explanation has a toxic combination, and only those", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "engineer", username: "eng", teams: ["web"] }),
      "GET /api/v1/views": [],
      "GET /api/v1/findings": (call: { query: URLSearchParams }) =>
        call.query.get("assignee") === "me"
          ? page([
              makeFinding({ title: "Admin role on a public instance", toxic: true }),
              makeFinding({ title: "Unencrypted volume", toxic: false }),
            ])
          : page([]),
    });
    renderApp("/my");
    const toxicRow = (await screen.findByText("Admin role on a public instance")).closest("tr");
    expect(toxicRow && within(toxicRow).getByTestId("toxic-marker")).toHaveTextContent("toxic");
    const plainRow = screen.getByText("Unencrypted volume").closest("tr");
    expect(plainRow && within(plainRow).queryByTestId("toxic-marker")).toBeNull();
  });
});
