const dateFormat = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});
const dayFormat = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  timeZone: "UTC",
});

/** "03 Dec 2026, 18:40 UTC" */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  return `${dateFormat.format(new Date(iso))} UTC`;
}

/** "03 Dec 2026" */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  return dayFormat.format(new Date(iso));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** "in 3 days", "today", "5 days ago" relative to `now`. */
export function formatDue(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "no SLA";
  const days = Math.round((new Date(iso).getTime() - now.getTime()) / DAY_MS);
  if (days === 0) return "due today";
  if (days > 0) return `due in ${days} day${days === 1 ? "" : "s"}`;
  return `${-days} day${days === -1 ? "" : "s"} overdue`;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat("en-GB").format(n);
}

const WORDS: Record<string, string> = { wont_fix: "won't fix" };

/** `false_positive` -> "false positive", `wont_fix` -> "won't fix" (labels stay lower case: no
 * CSS capitalises them into "Wont Fix" or "83 Days Overdue"). */
export function humanize(value: string): string {
  return WORDS[value] ?? value.replaceAll("_", " ");
}
