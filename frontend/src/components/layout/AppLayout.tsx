import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { useLogout } from "../../api/auth";
import { ROLE_LABELS } from "../../features/auth/permissions";
import { useCurrentUser } from "../../features/auth/useCurrentUser";
import { SavedViewsNav } from "../../features/views/SavedViewsNav";
import { Button } from "../ui";
import { setFlash, useFlash } from "./flash";
import { navFor } from "./nav";

export function AppLayout() {
  const user = useCurrentUser();
  const logout = useLogout();
  const navigate = useNavigate();
  const flash = useFlash();

  async function onLogout() {
    await logout.mutateAsync().catch(() => undefined);
    await navigate({ to: "/login", search: {} });
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          ASPM
        </Link>
        <nav aria-label="Main" className="main-nav">
          {navFor(user.role).map((item) => (
            <Link
              key={item.to}
              to={item.to}
              activeProps={{ className: "active", "aria-current": "page" }}
            >
              {item.label}
            </Link>
          ))}
          <SavedViewsNav />
        </nav>
        <div className="user-menu">
          <span className="user-name" data-testid="current-user">
            {user.display_name || user.username}
          </span>
          <span className="user-role" data-testid="current-role">
            {ROLE_LABELS[user.role]}
          </span>
          {user.teams.length > 0 ? (
            <span className="user-teams" title="Your teams">
              {user.teams.join(", ")}
            </span>
          ) : null}
          <Button size="sm" variant="ghost" onClick={onLogout} disabled={logout.isPending}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {flash ? (
          <div className="notice" role="status" data-testid="flash">
            {flash}{" "}
            <button type="button" className="link-button" onClick={() => setFlash(null)}>
              Dismiss
            </button>
          </div>
        ) : null}
        <Outlet />
      </main>
    </div>
  );
}
