import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useLogin } from "../../api/auth";
import { ApiError } from "../../api/client";
import { Button, TextField } from "../../components/ui";
import { homeFor } from "./permissions";

export function LoginPage() {
  const login = useLogin();
  const navigate = useNavigate();
  const { redirect } = useSearch({ from: "/login" });
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const user = await login.mutateAsync({ username, password }).catch(() => null);
    if (!user) return;
    if (user.must_change_password) {
      await navigate({ to: "/password" });
      return;
    }
    // only same-site paths: never bounce a fresh session to another origin
    if (redirect?.startsWith("/") && !redirect.startsWith("//") && !redirect.startsWith("/login")) {
      await navigate({ href: redirect });
    } else {
      await navigate({ to: homeFor(user.role) });
    }
  }

  const error =
    login.error instanceof ApiError && login.error.status === 401
      ? "Wrong username or password."
      : login.error
        ? login.error.message
        : null;

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to ASPM</h1>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <Button type="submit" variant="primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </main>
  );
}
