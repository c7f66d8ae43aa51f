import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SchemaTokenRead, SchemaUserRead } from "../../api/generated/schema";
import { makeUser, mockApi, Reply } from "../../test/mockApi";
import { renderApp } from "../../test/render";

function user(username: string, overrides: Partial<SchemaUserRead> = {}): SchemaUserRead {
  return {
    id: `00000000-0000-4000-8000-${String(username.length).padStart(12, "0")}`,
    username,
    display_name: "",
    role: "engineer",
    teams: [],
    active: true,
    must_change_password: false,
    created_at: "2026-12-01T00:00:00Z",
    ...overrides,
  };
}

const token: SchemaTokenRead = {
  id: "00000000-0000-4000-8000-0000000000d1",
  name: "ci",
  prefix: "aspm_abc123",
  user: "engineer",
  scopes: ["ingest"],
  asset_ids: ["00000000-0000-4000-8000-0000000000a1"],
  created_at: "2026-12-01T00:00:00Z",
  created_by: "user:admin",
  expires_at: "2027-03-01T00:00:00Z",
  last_used_at: "2026-12-05T08:00:00Z",
  revoked_at: null,
  active: true,
};

function setup() {
  const users = [user("admin", { role: "admin" }), user("engineer", { teams: ["web"] })];
  return mockApi({
    "GET /api/v1/auth/me": makeUser({ role: "admin", username: "admin" }),
    "GET /api/v1/views": [],
    "GET /api/v1/users": () => users,
    "GET /api/v1/teams": [
      { id: "t1", name: "web", members: ["engineer"], created_at: "2026-12-01T00:00:00Z" },
    ],
    "GET /api/v1/tokens": [token],
    "GET /api/v1/assets": [{ id: "00000000-0000-4000-8000-0000000000a1", name: "acme/web" }],
    "POST /api/v1/users": (call: { body: { username: string; role: string } }) => {
      const created = user(call.body.username, {
        role: call.body.role as SchemaUserRead["role"],
        must_change_password: true,
      });
      users.push(created);
      return new Reply(201, { ...created, password: "one-time-Xy7!" });
    },
    "POST /api/v1/users/{id}/reset-password": { ...users[1], password: "fresh-one-time" },
    "POST /api/v1/tokens": (call: { body: Record<string, unknown> }) =>
      new Reply(201, { ...token, name: call.body.name, token: "aspm_secret_value" }),
    "DELETE /api/v1/tokens/{id}": { ...token, revoked_at: "2026-12-06T00:00:00Z", active: false },
  });
}

describe("administration", () => {
  it("creates a user and shows the one-time password once", async () => {
    const ui = userEvent.setup();
    const { calls } = setup();
    renderApp("/admin");
    await screen.findByTestId("user-engineer");
    await ui.click(screen.getByRole("button", { name: "New user" }));
    const dialog = await screen.findByRole("dialog", { name: "New user" });
    await ui.type(within(dialog).getByLabelText("Username"), "newbie");
    await ui.selectOptions(within(dialog).getByLabelText("Role"), "viewer");
    await ui.click(within(dialog).getByLabelText("web"));
    await ui.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(await screen.findByTestId("secret-value")).toHaveTextContent("one-time-Xy7!");
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/users");
    expect(post?.body).toEqual({
      username: "newbie",
      display_name: "",
      role: "viewer",
      teams: ["web"],
    });
    await ui.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("secret-value")).not.toBeInTheDocument();
    expect(await screen.findByTestId("user-newbie")).toHaveTextContent("one-time password");
  });

  it("resets a password to a one-time password it shows once", async () => {
    const ui = userEvent.setup();
    vi.spyOn(window, "confirm").mockReturnValue(true);
    setup();
    renderApp("/admin");
    await ui.click(await screen.findByRole("button", { name: "Reset password of engineer" }));
    expect(await screen.findByTestId("secret-value")).toHaveTextContent("fresh-one-time");
    // an admin cannot deactivate themselves
    expect(screen.queryByRole("button", { name: "Deactivate admin" })).not.toBeInTheDocument();
  });

  it("lists tokens with last use and assets, and creates one shown once", async () => {
    const ui = userEvent.setup();
    const { calls } = setup();
    renderApp("/admin");
    const row = await screen.findByTestId("token-ci");
    await waitFor(() => expect(row).toHaveTextContent("acme/web"));
    expect(row).toHaveTextContent("ingest");
    expect(row).not.toHaveTextContent("never used");
    await ui.click(screen.getByRole("button", { name: "New token" }));
    const dialog = await screen.findByRole("dialog", { name: "New API token" });
    await ui.selectOptions(within(dialog).getByLabelText(/Acts for/), "engineer");
    await ui.type(within(dialog).getByLabelText(/^Name/), "gha web");
    await ui.click(within(dialog).getByLabelText(/^read/));
    await ui.click(within(dialog).getByLabelText("every asset"));
    await ui.click(within(dialog).getByLabelText("acme/web"));
    await ui.selectOptions(within(dialog).getByLabelText("Expires after"), "30");
    await ui.click(within(dialog).getByRole("button", { name: "Create token" }));
    expect(await screen.findByTestId("secret-value")).toHaveTextContent("aspm_secret_value");
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/tokens");
    expect(post?.body).toEqual({
      user: "engineer",
      name: "gha web",
      scopes: ["ingest", "read"],
      assets: ["acme/web"],
      expires_days: 30,
    });
  });

  it("is not offered to other roles", async () => {
    mockApi({ "GET /api/v1/auth/me": makeUser(), "GET /api/v1/views": [] });
    renderApp("/admin");
    expect(await screen.findByText(/Only admins manage/)).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Admin" })).not.toBeInTheDocument();
  });
});
