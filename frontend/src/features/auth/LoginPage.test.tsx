import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { page } from "../../test/fixtures";
import { makeUser, mockApi, Reply } from "../../test/mockApi";
import { renderApp } from "../../test/render";

describe("sign-in", () => {
  it("sends an anonymous visitor to the login page, then to their home with name and role shown", async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const engineer = makeUser({
      role: "engineer",
      username: "eng",
      display_name: "Eng One",
      teams: ["web"],
    });
    mockApi({
      "GET /api/v1/auth/me": () =>
        signedIn ? engineer : new Reply(401, { error: "NotAuthenticated", detail: "sign in" }),
      "POST /api/v1/auth/login": () => {
        signedIn = true;
        return engineer;
      },
      "GET /api/v1/findings": page([]),
    });
    const { router } = renderApp("/");
    await screen.findByRole("heading", { name: "Sign in to ASPM" });
    await user.type(await screen.findByLabelText("Username"), "eng");
    await user.type(screen.getByLabelText("Password"), "secret-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/my"));
    expect(await screen.findByTestId("current-user")).toHaveTextContent("Eng One");
    expect(screen.getByTestId("current-role")).toHaveTextContent("Engineer");
  });

  it("says so when the password is wrong", async () => {
    const user = userEvent.setup();
    mockApi({
      "GET /api/v1/auth/me": new Reply(401, { error: "NotAuthenticated", detail: "sign in" }),
      "POST /api/v1/auth/login": new Reply(401, { error: "NotAuthenticated", detail: "wrong" }),
    });
    renderApp("/login");
    await user.type(await screen.findByLabelText("Username"), "eng");
    await user.type(screen.getByLabelText("Password"), "nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password.");
  });

  it("offers the identity provider's button next to the password form", async () => {
    mockApi({
      "GET /api/v1/auth/me": new Reply(401, { error: "NotAuthenticated", detail: "sign in" }),
      "GET /api/v1/auth/options": {
        local_login: true,
        sso: { name: "Acme ID", login_url: "/api/v1/auth/oidc/login" },
      },
    });
    renderApp("/login?redirect=%2Ffindings");
    const button = await screen.findByRole("link", { name: "Sign in with Acme ID" });
    expect(button).toHaveAttribute("href", "/api/v1/auth/oidc/login?next=%2Ffindings");
    expect(screen.getByLabelText("Username")).toBeVisible();
  });

  it("hides the password form when local sign-in is off, but for the emergency admin", async () => {
    const user = userEvent.setup();
    mockApi({
      "GET /api/v1/auth/me": new Reply(401, { error: "NotAuthenticated", detail: "sign in" }),
      "GET /api/v1/auth/options": {
        local_login: false,
        sso: { name: "Acme ID", login_url: "/api/v1/auth/oidc/login" },
      },
    });
    renderApp("/login");
    await screen.findByRole("link", { name: "Sign in with Acme ID" });
    expect(screen.getByLabelText("Username")).not.toBeVisible();
    await user.click(screen.getByText("Emergency administrator sign-in"));
    expect(screen.getByLabelText("Username")).toBeVisible();
  });

  it("explains why a single sign-on came back refused", async () => {
    mockApi({
      "GET /api/v1/auth/me": new Reply(401, { error: "NotAuthenticated", detail: "sign in" }),
      "GET /api/v1/auth/options": {
        local_login: true,
        sso: { name: "Acme ID", login_url: "/api/v1/auth/oidc/login" },
      },
    });
    renderApp("/login?sso_error=no_role");
    expect(await screen.findByRole("alert")).toHaveTextContent("Your groups");
  });
});
