import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ChangeEvent, type DragEvent, useId, useRef, useState } from "react";
import { assetListQuery } from "../../api/assets";
import type { SessionUser } from "../../api/auth";
import type { SchemaAssetRead, SchemaIngestResult } from "../../api/generated/schema";
import {
  formatListQuery,
  ImportFailed,
  type QueuedProgress,
  useUploadReport,
} from "../../api/imports";
import { Button, ErrorMessage, SelectField, TextField } from "../../components/ui";
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

/** What the asset picker holds besides an asset's name. */
const FROM_REPORT = "";
const NEW_ASSET = "\u0000new";

/** The server's words for an undetected format name the CLI flag; a dashboard user has a picker. */
export function dashboardWords(detail: string): string {
  return detail
    .replace(
      /;?\s*pass --format to choose one/,
      ": choose its format under Format and upload it again",
    )
    .replace(/pass --format\b/, "choose its format under Format");
}

/** Drop a report (or pick one) into a chosen asset; the server detects its format unless chosen. */
export function UploadPanel() {
  const user = useCurrentUser();
  const upload = useUploadReport();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [file, setFile] = useState<string | null>(null);
  const assets = useQuery(assetListQuery);
  const formats = useQuery(formatListQuery);
  const choices = assets.data ? importableAssets(user, assets.data) : [];
  // a lead may leave it to the match rules; an engineer names one of their teams' assets
  const [picked, setPicked] = useState<string | null>(null);
  const choice = picked ?? (isLead(user) ? FROM_REPORT : (choices[0] ?? NEW_ASSET));
  const [newAsset, setNewAsset] = useState("");
  const [scope, setScope] = useState("");
  const [partial, setPartial] = useState(false);
  const [format, setFormat] = useState("");
  const [sentAsset, setSentAsset] = useState("");
  // a queued import (PostgreSQL): where the worker stands, polled until it is done
  const [queued, setQueued] = useState<QueuedProgress | null>(null);
  const target = choice === NEW_ASSET ? newAsset.trim() : choice;
  const missingName = choice === NEW_ASSET && !target;

  function send(chosen: File | undefined) {
    if (!chosen || upload.isPending || missingName) return;
    setFile(chosen.name);
    setSentAsset(target);
    setProgress(0);
    setQueued(null);
    upload.mutate(
      {
        file: chosen,
        asset: target || undefined,
        scope: scope.trim() || undefined,
        partial,
        format: format || undefined,
        onProgress: setProgress,
        onQueued: setQueued,
      },
      {
        onSettled: () => {
          setProgress(null);
          setQueued(null);
        },
      },
    );
  }

  function onDrop(e: DragEvent<HTMLElement>) {
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
  const undetected =
    failed !== null && typeof failed.detail === "string" && /--format/.test(failed.detail);
  const shownError =
    failed && typeof failed.detail === "string"
      ? new ImportFailed(failed.status, failed.error, dashboardWords(failed.detail), failed.result)
      : upload.error;
  const readable = (formats.data ?? []).map((f) => f.title);
  return (
    <section className="card" aria-labelledby={`${inputId}-title`}>
      <div className="card-header">
        <h2 id={`${inputId}-title`}>Upload a report</h2>
      </div>
      <div className="upload-options">
        <SelectField
          label="Asset"
          name="asset"
          value={choice}
          data-testid="import-asset"
          onChange={(e) => setPicked(e.target.value)}
          options={[
            ...(isLead(user)
              ? [{ value: FROM_REPORT, label: "As the report says (match rules, else unassigned)" }]
              : []),
            ...choices.map((name) => ({ value: name, label: name })),
            { value: NEW_ASSET, label: "New asset…" },
          ]}
          hint="Every finding of the report goes to this asset."
        />
        {choice === NEW_ASSET ? (
          <TextField
            label="New asset name"
            name="new-asset"
            value={newAsset}
            onChange={(e) => setNewAsset(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            maxLength={200}
            required
            placeholder="org/repository"
            data-testid="import-new-asset"
            error={missingName ? "Name the new asset before uploading." : null}
            hint={
              isLead(user)
                ? undefined
                : "It becomes your team's asset if you are in exactly one team."
            }
          />
        ) : null}
        <TextField
          label="Scope (optional)"
          name="scope"
          value={scope}
          onChange={(e) => setScope(e.target.value)}
          maxLength={300}
          autoComplete="off"
          placeholder="e.g. main, or 111122223333/eu-west-1"
          hint="Branch, account or region: a full import resolves what it no longer lists in its own scope only."
        />
        <SelectField
          label="Format"
          name="format"
          value={format}
          onChange={(e) => setFormat(e.target.value)}
          options={[
            { value: "", label: "Detect from the file" },
            ...(formats.data ?? []).map((f) => ({ value: f.name, label: f.title })),
          ]}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={partial}
            onChange={(e) => setPartial(e.target.checked)}
            name="partial"
          />{" "}
          Partial report (resolve nothing it does not list)
        </label>
      </div>
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
        <p data-testid="readable-formats">
          Drop a scanner report here; its format is detected from the file.
          {readable.length > 0 ? ` Reads: ${readable.join(", ")}.` : ""}
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
          disabled={upload.isPending || missingName}
        >
          Choose a file…
        </Button>
        {progress !== null && queued ? (
          <QueuedStatus file={file} run={queued} />
        ) : progress !== null ? (
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
      {shownError ? (
        <ErrorMessage
          error={shownError}
          title={
            refused
              ? `Import of ${file ?? "the report"} refused`
              : undetected
                ? `The format of ${file ?? "the report"} was not recognised`
                : `Import of ${file ?? "the report"} failed`
          }
        />
      ) : null}
      {refused ? (
        <p className="small" data-testid="import-refused-hint">
          {sentAsset
            ? "Choose an asset of one of your teams, or ask a security lead to import the report."
            : "Choose one of your teams' assets under Asset and upload the report again."}
        </p>
      ) : null}
      {failed?.result ? <ImportResult result={failed.result} /> : null}
    </section>
  );
}

/** A queued import's state: waiting for a worker, or running with the bytes read so far. */
function QueuedStatus({ file, run }: { file: string | null; run: QueuedProgress }) {
  const name = file ?? "the report";
  const size = run.sizeBytes ?? 0;
  const read = run.progressBytes ?? 0;
  const known = run.status === "running" && size > 0;
  return (
    <div
      role="status"
      aria-live="polite"
      className="stack"
      style={{ width: "100%" }}
      data-testid="import-queued"
    >
      <progress
        className="progress"
        value={known ? Math.min(read, size) : undefined}
        max={known ? size : undefined}
        aria-label={`Importing ${name}`}
      />
      <span className="small muted">
        {run.status === "queued"
          ? `Uploaded ${name}: waiting for a worker to import it…`
          : known
            ? `Importing ${name}: ${formatBytes(read)} of ${formatBytes(size)} read (${Math.round((read / size) * 100)}%)`
            : `Importing ${name}…`}
      </span>
    </div>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
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
      {result.status === "ok" && result.import_id ? (
        <p>
          <Link to="/findings" search={{ import_id: result.import_id, view: "all" }}>
            Open what this import changed in the triage queue
          </Link>{" "}
          <span className="muted small">(new, resolved and reopened findings)</span>
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
