import { Link } from "@tanstack/react-router";
import { formatNumber } from "../../lib/format";

/** Under the queue: how many findings matching the filters suppression rules hide, and where to
 * see which rule hides them, who wrote it, why and until when. */
export function SuppressedNotice({ count, capped }: { count: number; capped?: boolean }) {
  if (count <= 0) return null;
  return (
    <p className="muted small" data-testid="suppressed-notice">
      {formatNumber(count)}
      {capped ? "+" : ""} more {count === 1 ? "finding matches" : "findings match"} but{" "}
      {count === 1 ? "is" : "are"} hidden by suppression rules:{" "}
      <Link to="/rules">see which rule, who, why and until when</Link>.
    </p>
  );
}
