import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { formatDate } from "../../lib/format";
import "./DateField.css";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function isoDay(year: number, month: number, day: number): string | null {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null; // 31 Feb and the like
  }
  return d.toISOString().slice(0, 10);
}

/**
 * A typed day as `YYYY-MM-DD`, or null: "06 Dec 2026" (the page's own format, any case, the
 * month's name spelt out or not) or "2026-12-06". Numeric d/m/y orders are refused: 06/12 is
 * June in one country and December in another.
 */
export function parseDay(text: string): string | null {
  const t = text.trim().toLowerCase().replace(/,/g, " ");
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (iso) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const named = /^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$/.exec(t);
  if (!named) return null;
  const month = MONTHS.findIndex((m) => (named[2] ?? "").startsWith(m)) + 1;
  if (month === 0) return null;
  return isoDay(Number(named[3]), month, Number(named[1]));
}

interface DateFieldProps {
  label: string;
  /** `YYYY-MM-DD`, or "" for none */
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  hint?: ReactNode;
  required?: boolean;
  /** `YYYY-MM-DD`: the earliest day allowed */
  min?: string;
}

/**
 * A day, shown and typed as the rest of the page writes dates ("06 Dec 2026"), whatever the
 * browser's locale: a native date input would show mm/dd/yyyy beside it. The calendar button
 * opens the browser's own picker.
 */
export function DateField({ label, value, onChange, hint, required, min }: DateFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(value ? formatDate(value) : "");
  const [touched, setTouched] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const native = useRef<HTMLInputElement>(null);

  // a new value from outside (a reset, the calendar) replaces what was typed
  useEffect(() => {
    setDraft((d) => (parseDay(d) === value ? d : value ? formatDate(value) : ""));
  }, [value]);

  const parsed = parseDay(draft);
  const problem =
    draft.trim() === ""
      ? null
      : parsed === null
        ? "Write a date like 06 Dec 2026."
        : min && parsed < min
          ? `Choose ${formatDate(min)} or later.`
          : null;

  useEffect(() => {
    input.current?.setCustomValidity(problem ?? "");
  }, [problem]);

  function type(text: string) {
    setDraft(text);
    const day = text.trim() === "" ? "" : parseDay(text);
    if (day !== null && day !== value) onChange({ target: { value: day } });
  }

  function openCalendar() {
    const el = native.current;
    if (!el) return;
    if (typeof el.showPicker === "function") {
      try {
        el.showPicker();
        return;
      } catch {
        // not allowed here (e.g. not a user gesture): fall back to focusing the typed field
      }
    }
    input.current?.focus();
  }

  const shownError = touched ? problem : null;
  return (
    <div className="field date-field">
      <label htmlFor={id} id={`${id}-label`}>
        {label}
      </label>
      <div className="date-field-row">
        <input
          id={id}
          ref={input}
          type="text"
          inputMode="text"
          autoComplete="off"
          placeholder="DD Mon YYYY"
          required={required}
          value={draft}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(e) => type(e.target.value)}
          onBlur={() => {
            setTouched(true);
            if (parsed) setDraft(formatDate(parsed));
          }}
        />
        <button
          type="button"
          className="btn date-field-button"
          aria-label="Calendar"
          aria-describedby={`${id}-label`}
          title={`Choose ${label.toLowerCase()} on a calendar`}
          onClick={openCalendar}
        >
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M4 1h1v2h6V1h1v2h2.5v12h-13V3H4V1zm-2.5 5v8h13V6h-13zm2 1.5h2v2h-2v-2zm3.5 0h2v2H7v-2zm3.5 0h2v2h-2v-2z"
            />
          </svg>
        </button>
        <input
          ref={native}
          type="date"
          className="date-field-native"
          tabIndex={-1}
          aria-hidden="true"
          value={value}
          min={min}
          onChange={(e) => {
            setTouched(true);
            onChange({ target: { value: e.target.value } });
          }}
        />
      </div>
      {hint ? (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {shownError ? (
        <div className="field-error" role="alert">
          {shownError}
        </div>
      ) : null}
    </div>
  );
}
