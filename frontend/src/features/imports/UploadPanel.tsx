import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ChangeEvent, type DragEvent, useId, useRef, useState } from "react";
import { assetListQuery } from "../../api/assets";
import type { SessionUser } from "../../api/auth";
import type { SchemaAssetRead, SchemaIngestResult } from "../../api/generated/schema";
import { ImportFailed, useUploadReport } from "../../api/imports";
import { Button, ErrorMessage, TextField } from "../../components/ui";
import { formatNumber } from "../../lib/format";
import { isLead } from "../auth/permissions";
import { useCurrentUser } from "../auth/useCurrentUser";

/**
 * The assets worth suggesting for an upload: those the server lets this user import into (a lead
 * anywhere, an engineer into their teams' assets), never "unassigned" (nobody's, the default).
 */
export function importableAssets(
  user: Pick<SessionUser, "role" | "teams">,
  assets: readonly SchemaAssetRead[],
): string[] {
  const teams = new Set(user.teams);
  return assets
    .filter(
      (a) =>
        a.kind !== "unassigned" &&
        (isLead(user) ||
          (user.role === "engineer" && a.owner_team != null && teams.has(a.owner_team))),
    )
    .map((a) => a.name)
    .sort();
}

/** Drop a report (or pick one); the server detects its format and imports it. */
export function UploadPanel() {
  const user = useCurrentUser();
  const upload = useUploadReport();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [file, setFile] = useState<string | null>(null);
  const [asset, setAsset] = useState("");
  const [sentAsset, setSentAsset] = useState("");
  // suggestions only: without them the field still takes any name
  const assets = useQuery(assetListQuery);
  const suggestions = assets.data ? importableAssets(user, assets.data) : [];

  function send(chosen: File | undefined) {
    if (!chosen || upload.isPending) return;
    const target = asset.trim();
    setFile(chosen.name);
    setSentAsset(target);
    setProgress(0);
    upload.mutate(
      { file: chosen, asset: target || undefined, onProgress: setProgress },
      { onSettled: () => setProgress(null) },
    );
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setDragging(false);
    send(e.dataTransfer.files[0]);
  }

  function onPick(e: ChangeEvent<HTMLInputElement>) {
    send(e.target.files?.[0]);
    e.target.value = "";
  }

  const failed = upload.error instanceof ImportFailed ? upload.error : null;
  const refused = failed?.status === 403;
  return (
    <section className="card" aria-labelledby={`${inputId}-title`}>
      <div className="card-header">
        <h2 id={`${inputId}-title`}>Upload a report</h2>
      </div>
      <TextField
        label="Asset (optional)"
        id={`${inputId}-asset`}
        name="asset"
        list={`${inputId}-assets`}
        value={asset}
        onChange={(e) => setAsset(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
        placeholder="org/repository"
        data-testid="import-asset"
        hint={
          isLead(user)
            ? "Where the findings go when the report does not name its asset."
            : "Where the findings go when the report does not name its asset: one of your teams' assets (a new name becomes your team's asset if you are in exactly one team)."
        }
      />
      <datalist id={`${inputId}-assets`}>
        {suggestions.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <section
        className={`dropzone ${dragging ? "dropzone-active" : ""}`}
        data-testid="dropzone"
        aria-label="Drop a report file here"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          Drop a scanner report here (SARIF, Semgrep, Gitleaks, Trivy, Checkov, Prowler, ZAP, …):
          the format is detected from the file.
        </p>
        <label htmlFor={inputId} className="sr-only">
          Report file
        </label>
        <input
          ref={input}
          id={inputId}
          type="file"
          className="sr-only"
          onChange={onPick}
          data-testid="report-file"
        />
        <Button
          variant="primary"
          onClick={() => input.current?.click()}
          disabled={upload.isPending}
        >
          Choose a file…
        </Button>
        {progress !== null ? (
          <div role="status" aria-live="polite" className="stack" style={{ width: "100%" }}>
            <progress
              className="progress"
              value={progress}
              max={1}
              aria-label={`Uploading ${file ?? "report"}`}
            />
            <span className="small muted">
              {progress < 1
                ? `Uploading ${file}: ${Math.round(progress * 100)}%`
                : `Importing ${file}…`}
            </span>
          </div>
        ) : null}
      </section>
      {upload.data ? <ImportResult result={upload.data} /> : null}
      {upload.error ? (
        <ErrorMessage
          error={upload.error}
          title={
            refused
              ? `Import of ${file ?? "the report"} refused`
              : `Import of ${file ?? "the report"} failed`
          }
        />
      ) : null}
      {refused ? (
        <p className="small" data-testid="import-refused-hint">
          {sentAsset
            ? "Choose an asset of one of your teams in the Asset field, or ask a security lead to import the report."
            : "Name the asset in the Asset field (one of your teams' assets) and upload the report again."}
        </p>
      ) : null}
      {failed?.result ? <ImportResult result={failed.result} /> : null}
    </section>
  );
}

export function ImportResult({ result }: { result: SchemaIngestResult }) {
  const counts: [string, number][] = [
    ["New", result.new_findings ?? 0],
    ["Unchanged", result.unchanged ?? 0],
    ["Resolved", result.resolved_findings ?? 0],
    ["Reopened", result.reopened_findings ?? 0],
    ["Suppressed", result.suppressed ?? 0],
    ["Skipped (errors)", result.skipped ?? 0],
  ];
  return (
    <div className="import-result" data-testid="import-result" role="status">
      <p>
        <strong>{result.status === "ok" ? "Imported" : "Not imported"}</strong> {result.file}
        {result.tool ? (
          <>
            {" "}
            as <strong>{result.tool}</strong>
            {result.format && result.format !== result.tool ? ` (${result.format})` : ""}
          </>
        ) : null}
        {result.asset ? ` into ${result.asset}` : ""}: {formatNumber(result.records ?? 0)} records,{" "}
        {formatNumber(result.findings ?? 0)} findings.
      </p>
      <dl className="result-counts">
        {counts.map(([label, n]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd data-testid={`count-${label.split(" ")[0]?.toLowerCase()}`}>{formatNumber(n)}</dd>
          </div>
        ))}
      </dl>
      {result.status === "ok" && result.tool ? (
        <p>
          <Link
            to="/findings"
            search={{
              tool: result.tool,
              asset: result.asset && result.asset !== "unassigned" ? result.asset : undefined,
            }}
          >
            Open {result.tool}'s findings in the triage queue
          </Link>
        </p>
      ) : null}
      {result.warnings && result.warnings.length > 0 ? (
        <details>
          <summary>{result.warnings.length} warnings</summary>
          <ul className="small">
            {result.warnings.slice(0, 100).map((w, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: warnings repeat and have no id
              <li key={i}>{String(w)}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
