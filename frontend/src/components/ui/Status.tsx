import type { ReactNode } from "react";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="status status-loading" role="status" aria-live="polite">
      {label}
    </div>
  );
}

export function ErrorMessage({
  error,
  title = "Something went wrong",
}: {
  error: unknown;
  title?: string;
}) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="status status-error" role="alert">
      <strong>{title}.</strong> {message}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="status status-empty">{children}</div>;
}
