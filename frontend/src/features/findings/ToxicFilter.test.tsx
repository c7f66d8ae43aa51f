import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";
import { exportHref, toBulkFilter, toListQuery } from "./search";

describe("toxic combination filter", () => {
  it("maps the URL's toxic flag to the list, bulk and export queries", () => {
    expect(toListQuery({ toxic: true }).toxic).toBe(true);
    expect(toListQuery({ toxic: false }).toxic).toBe(false);
    expect(toListQuery({}).toxic).toBeUndefined();
    expect(toBulkFilter({ toxic: true }).toxic).toBe(true);
    expect(exportHref({ toxic: true }, "csv")).toContain("toxic=true");
  });

  it("filters the queue from a checkbox and marks the rows in a toxic combination", async () => {
    const user = userEvent.setup();
    const { calls } = mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/views": [],
      "GET /api/v1/findings": page([
        makeFinding({ title: "Admin role on a public instance", toxic: true }),
        makeFinding({ title: "Unencrypted volume", toxic: false }),
      ]),
    });
    const { router } = renderApp("/findings");
    const toxicRow = (await screen.findByText("Admin role on a public instance")).closest("tr");
    expect(toxicRow && within(toxicRow).getByTestId("toxic-marker")).toHaveTextContent("toxic");
    const plainRow = screen.getByText("Unencrypted volume").closest("tr");
    expect(plainRow && within(plainRow).queryByTestId("toxic-marker")).toBeNull();

    const chip = screen.getByRole("button", { name: "in a toxic combination" });
    expect(chip).toHaveAttribute("aria-pressed", "false");
    await user.click(chip);
    await waitFor(() => expect(router.state.location.search).toEqual({ toxic: true }));
    await waitFor(() =>
      expect(
        calls
          .filter((c) => c.path === "/api/v1/findings")
          .at(-1)
          ?.query.get("toxic"),
      ).toBe("true"),
    );
    expect(screen.getByRole("button", { name: "in a toxic combination" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await user.click(screen.getByRole("button", { name: "in a toxic combination" }));
    await waitFor(() => expect(router.state.location.search).toEqual({}));
  });
});
