import type { ReactNode } from "react";

export type Tone = "critical" | "high" | "medium" | "low" | "info" | "ok" | "neutral" | "warn";

export function Badge({
  tone = "neutral",
  children,
  title,
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}
