import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi, Reply } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const saved = {
  id: "00000000-0000-4000-8000-0000000000c1",
  name: "Prod criticals",
  query: "severity=critical,high&environment=prod",
  created_at: "2026-12-06T10:00:00Z",
  updated_at: "2026-12-06T10:00:00Z",
};

describe("save view", () => {
  it("saves the queue's filters under a name, then lists the view in the navigation", async () => {
    const user = userEvent.setup();
    const views: (typeof saved)[] = [];
    const { calls } = mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/findings": page([makeFinding({ title: "Leaked AWS key" })]),
      "GET /api/v1/views": () => views,
      "POST /api/v1/views": (call: { body: { name: string; query: string } }) => {
        const view = { ...saved, name: call.body.name, query: call.body.query };
        views.push(view);
        return new Reply(201, view);
      },
    });
    renderApp("/findings?severity=critical,high&team=mine&offset=50");
    await screen.findByText("Leaked AWS key");
    await user.click(screen.getByTestId("save-view"));
    const dialog = await screen.findByRole("dialog", { name: "Save this view" });
    expect(within(dialog).getByTestId("view-query")).toHaveTextContent(
      "severity=critical,high&team=mine",
    );
    expect(within(dialog).getByLabelText("Link to share")).toHaveValue(
      `${window.location.origin}/findings?severity=critical,high&team=mine`,
    );
    await user.type(within(dialog).getByLabelText("Name"), "My team's worst");
    await user.click(within(dialog).getByRole("button", { name: "Save view" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/views");
    expect(post?.body).toEqual({
      name: "My team's worst",
      query: "severity=critical,high&team=mine",
      replace: false,
    });
    const nav = screen.getByTestId("saved-views");
    await waitFor(() => expect(within(nav).getByText("Saved views (1)")).toBeInTheDocument());
    expect(within(nav).getByRole("link", { name: "My team's worst" })).toHaveAttribute(
      "href",
      "/findings?severity=critical%2Chigh&team=mine",
    );
  });
});
