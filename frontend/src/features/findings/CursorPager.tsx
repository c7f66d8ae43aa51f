import { Button } from "../../components/ui";
import { formatNumber } from "../../lib/format";

/** A count as the API gives it: exact up to 10,000, then "10,000+" (`capped`). */
export function formatTotal(total: number, capped: boolean | undefined): string {
  return `${formatNumber(total)}${capped ? "+" : ""}`;
}

/**
 * Previous/next paging over the server's keyset cursor (`next_cursor`): "51–100 of 10,000+".
 * The cursor only goes forwards, so "Previous" needs the cursor of the page before (kept by the
 * page while it pages); "First" is always there.
 */
export function CursorPager({
  from,
  shown,
  total,
  totalCapped,
  hasNext,
  hasPrevious,
  onNext,
  onPrevious,
  onFirst,
}: {
  /** 1-based position of the page's first row */
  from: number;
  shown: number;
  total: number;
  totalCapped: boolean;
  hasNext: boolean;
  hasPrevious: boolean;
  onNext: () => void;
  onPrevious: () => void;
  onFirst: () => void;
}) {
  const first = shown === 0 ? 0 : from;
  const last = shown === 0 ? 0 : from + shown - 1;
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite">
        {formatNumber(first)}–{formatNumber(last)} of {formatTotal(total, totalCapped)}
      </span>
      <Button size="sm" disabled={from <= 1} onClick={onFirst}>
        First
      </Button>
      <Button size="sm" disabled={!hasPrevious} onClick={onPrevious}>
        Previous
      </Button>
      <Button size="sm" disabled={!hasNext} onClick={onNext}>
        Next
      </Button>
    </nav>
  );
}
