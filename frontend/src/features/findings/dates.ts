/** `YYYY-MM-DD` for today (UTC) plus `days`. */
export function todayPlus(days: number, now: Date = new Date()): string {
  const d = new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
  return d.toISOString().slice(0, 10);
}

/** A date input's `YYYY-MM-DD` as the end of that day in UTC, ISO 8601. */
export function endOfDayIso(date: string): string {
  return `${date}T23:59:59Z`;
}
