import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useLogin } from "../../api/auth";
import { ApiError } from "../../api/client";
import { FALLBACK_OPTIONS, signInOptionsQuery, ssoErrorMessage, ssoLoginHref } from "../../api/sso";
import { Button, TextField } from "../../components/ui";
import { homeFor } from "./permissions";

export function LoginPage() {
  const login = useLogin();
  const navigate = useNavigate();
  const { redirect, sso_error } = useSearch({ from: "/login" });
  const options = useQuery(signInOptionsQuery);
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
  const ssoError = ssoErrorMessage(sso_error);
  const { local_login: localLogin, sso } = options.data ?? FALLBACK_OPTIONS;

  const passwordForm = (
    <form className="stack" onSubmit={onSubmit}>
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
      <Button type="submit" variant={sso ? "secondary" : "primary"} disabled={login.isPending}>
        {login.isPending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );

  return (
    <main className="login-page">
      <section className="login-card" aria-labelledby="login-title">
        <h1 id="login-title">Sign in to ASPM</h1>
        {ssoError ? (
          <p className="field-error" role="alert">
            {ssoError}
          </p>
        ) : null}
        {sso ? (
          // a navigation, not a fetch: the server redirects the browser to the provider
          <a className="btn btn-primary" href={ssoLoginHref(sso.login_url, redirect)}>
            Sign in with {sso.name}
          </a>
        ) : null}
        {options.isPending ? null : localLogin ? (
          <>
            {sso ? <p className="muted">or with a password</p> : null}
            {passwordForm}
          </>
        ) : (
          <details>
            <summary className="muted">Emergency administrator sign-in</summary>
            {passwordForm}
          </details>
        )}
      </section>
    </main>
  );
}
