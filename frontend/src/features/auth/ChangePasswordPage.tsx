import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useChangePassword } from "../../api/auth";
import { setFlash } from "../../components/layout/flash";
import { Button, ErrorMessage, TextField } from "../../components/ui";

/** A one-time password must be replaced before anything else (the server refuses the rest). */
export function ChangePasswordPage() {
  const change = useChangePassword();
  const navigate = useNavigate();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const mismatch = again.length > 0 && next !== again ? "The two new passwords differ." : null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (next !== again) return;
    const ok = await change.mutateAsync({ current_password: current, new_password: next }).then(
      () => true,
      () => false,
    );
    if (!ok) return;
    // the mutation has fetched /me again (must_change_password is now false): the app lets us in
    setFlash("Password changed. Use the new one from now on.");
    await navigate({ to: "/" });
  }

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={onSubmit} aria-labelledby="password-title">
        <h1 id="password-title">Choose your password</h1>
        <p className="muted">You signed in with a one-time password; choose your own to go on.</p>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <TextField
          label="New password again"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          error={mismatch}
          onChange={(e) => setAgain(e.target.value)}
        />
        {change.error ? <ErrorMessage error={change.error} title="Not changed" /> : null}
        <Button type="submit" variant="primary" disabled={change.isPending || Boolean(mismatch)}>
          Save and continue
        </Button>
      </form>
    </main>
  );
}
