import { type FormEvent, useEffect, useState } from "react";
import { environmentValues, priorityFilterValues } from "../../api/generated/schema";
import { Button, SelectField, TextField, ToggleGroup } from "../../components/ui";
import { humanize } from "../../lib/format";
import { SEVERITIES, SLA_STATUSES, TRIAGE_STATES } from "../../lib/severity";
import { type FindingSearch, hasFilters, joinList, splitList } from "./search";

const TEXT_FILTERS = [
  { key: "tool", label: "Tool", placeholder: "e.g. semgrep" },
  { key: "category", label: "Category", placeholder: "e.g. sast" },
  { key: "asset", label: "Asset", placeholder: "name" },
  { key: "team", label: "Team", placeholder: "team or 'mine'" },
  { key: "assignee", label: "Assignee", placeholder: "user or 'me'" },
] as const;

type TextKey = (typeof TEXT_FILTERS)[number]["key"] | "q";

/** The search box's id: `/` focuses it. */
export const SEARCH_FIELD_ID = "finding-search";

const options = (values: readonly string[]) =>
  values.map((v) => ({ value: v, label: humanize(v) }));

/** P1..P4 as they are; `none` (not scored, or below every band) said in words. */
const PRIORITY_OPTIONS = priorityFilterValues.map((v) => ({
  value: v,
  label: v === "none" ? "no priority" : v,
}));

/**
 * The queue's filters. `search` is the URL's state; every change goes out through `onChange` as a
 * patch of search params (the page writes it to the URL, which resets paging).
 */
export function FindingFilters({
  search,
  onChange,
}: {
  search: FindingSearch;
  onChange: (patch: Partial<FindingSearch>) => void;
}) {
  const [draft, setDraft] = useState<Record<TextKey, string>>(() => textValues(search));
  const urlText = JSON.stringify(textValues(search));
  useEffect(() => {
    setDraft(JSON.parse(urlText) as Record<TextKey, string>);
  }, [urlText]);

  function commitText(e?: FormEvent) {
    e?.preventDefault();
    const patch: Partial<FindingSearch> = {};
    let changed = false;
    for (const key of Object.keys(draft) as TextKey[]) {
      const value = draft[key].trim() || undefined;
      if (value !== search[key]) {
        patch[key] = value;
        changed = true;
      }
    }
    if (changed) onChange(patch);
  }

  const textInput = (key: TextKey, label: string, placeholder: string, type = "text") => (
    <TextField
      key={key}
      id={key === "q" ? SEARCH_FIELD_ID : undefined}
      label={label}
      type={type}
      name={key}
      placeholder={placeholder}
      value={draft[key]}
      onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
      onBlur={() => commitText()}
    />
  );

  return (
    <form className="filters" onSubmit={commitText} aria-label="Filters">
      <div className="filters-row">
        {textInput("q", "Search", "title, rule, CVE, resource, ARN or path  ( / )", "search")}
        {TEXT_FILTERS.map((f) => textInput(f.key, f.label, f.placeholder))}
        <SelectField
          label="Detector state"
          name="status"
          value={search.status ?? ""}
          placeholder="any"
          options={[
            { value: "active", label: "open (still detected)" },
            { value: "fixed", label: "fixed" },
          ]}
          onChange={(e) => onChange({ status: e.target.value || undefined })}
        />
        {/* Enter in a text field applies it; the button makes that reachable without a keyboard */}
        <Button type="submit" size="sm" className="filters-apply">
          Apply
        </Button>
      </div>
      <div className="filters-row">
        <ToggleGroup
          label="Priority"
          options={PRIORITY_OPTIONS}
          value={splitList(search.priority)}
          onChange={(v) => onChange({ priority: joinList(v) })}
        />
        <ToggleGroup
          label="Severity"
          options={options(SEVERITIES)}
          value={splitList(search.severity)}
          onChange={(v) => onChange({ severity: joinList(v) })}
        />
        <ToggleGroup
          label="Status"
          options={options(TRIAGE_STATES)}
          value={splitList(search.triage)}
          onChange={(v) => onChange({ triage: joinList(v) })}
        />
        <ToggleGroup
          label="SLA"
          options={options(SLA_STATUSES)}
          value={splitList(search.sla)}
          onChange={(v) => onChange({ sla: joinList(v) })}
        />
        <ToggleGroup
          label="Environment"
          options={options(environmentValues)}
          value={splitList(search.environment)}
          onChange={(v) => onChange({ environment: joinList(v) })}
        />
        <ToggleGroup
          label="Toxic combination"
          options={[{ value: "toxic", label: "in a toxic combination" }]}
          value={search.toxic ? ["toxic"] : []}
          onChange={(v) => onChange({ toxic: v.length ? true : undefined })}
        />
        {hasFilters(search) ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() =>
              onChange(
                Object.fromEntries(
                  [
                    ...TEXT_FILTERS.map((f) => f.key),
                    "import_id",
                    "q",
                    "priority",
                    "severity",
                    "triage",
                    "sla",
                    "status",
                    "environment",
                    "toxic",
                  ].map((k) => [k, undefined]),
                ),
              )
            }
          >
            Clear filters
          </Button>
        ) : null}
      </div>
    </form>
  );
}

function textValues(search: FindingSearch): Record<TextKey, string> {
  return {
    q: search.q ?? "",
    tool: search.tool ?? "",
    category: search.category ?? "",
    asset: search.asset ?? "",
    team: search.team ?? "",
    assignee: search.assignee ?? "",
  };
}
