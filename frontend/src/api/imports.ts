/**
 * Imports: the history (GET /imports) and the upload (POST /imports, multipart), which goes
 * through XMLHttpRequest because fetch cannot report upload progress. On PostgreSQL the server
 * queues the import (202) and a worker runs it: the upload then polls GET /imports/{id}.
 */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, readCookie, unwrap } from "./client";
import type { paths, SchemaIngestResult, SchemaIngestRunRead } from "./generated/schema";

export type ImportListQuery = NonNullable<paths["/api/v1/imports"]["get"]["parameters"]["query"]>;

export const importKeys = {
  all: ["imports"] as const,
  list: (q: ImportListQuery) => [...importKeys.all, "list", q] as const,
};

export function importListQuery(q: ImportListQuery) {
  return queryOptions({
    queryKey: importKeys.list(q),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/imports", { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** An import the server read but refused (422): the error plus the partial result it sends. */
export class ImportFailed extends ApiError {
  readonly result: SchemaIngestResult | null;

  constructor(status: number, error: string, detail: unknown, result: SchemaIngestResult | null) {
    super(status, error, detail);
    this.name = "ImportFailed";
    this.result = result;
  }
}

/** The formats the server reads (its ingest registry), for the drop zone and the format picker. */
export const formatListQuery = queryOptions({
  queryKey: [...importKeys.all, "formats"] as const,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/imports/formats", { signal })),
  staleTime: Number.POSITIVE_INFINITY,
});

export interface UploadOptions {
  file: File;
  /** every finding of the report goes to this asset (created if new); none: match rules decide */
  asset?: string;
  /** a target within the asset and tool (branch, account/region): imports of one scope retire
   * each other's detections */
  scope?: string;
  /** a partial report (a subset of the scope) resolves nothing it does not list */
  partial?: boolean;
  /** the format, when the server cannot detect it from the file */
  format?: string;
  /** fraction 0..1 of the bytes sent */
  onProgress?: (fraction: number) => void;
  /** a queued import (202, PostgreSQL): its state at each poll until it is done */
  onQueued?: (run: QueuedProgress) => void;
  /** milliseconds between polls of a queued import */
  pollMs?: number;
}

/** Where a queued import stands: queued, or running with the bytes of the report read so far. */
export interface QueuedProgress {
  importId: string;
  status: string;
  progressBytes: number | null;
  sizeBytes: number | null;
}

/** POST the report as multipart/form-data; the server detects the format. */
export function uploadReport({
  file,
  asset,
  scope,
  partial,
  format,
  onProgress,
}: UploadOptions): Promise<SchemaIngestResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const params = new URLSearchParams({ filename: file.name });
    if (asset) params.set("asset", asset);
    if (scope) params.set("scope", scope);
    if (partial) params.set("partial", "true");
    if (format) params.set("format", format);
    xhr.open("POST", `/api/v1/imports?${params.toString()}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    const csrf = readCookie("aspm_csrf");
    if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () =>
      reject(new ApiError(0, "NetworkError", "the upload did not reach the server"));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as SchemaIngestResult);
        return;
      }
      const env = (body && typeof body === "object" ? body : {}) as {
        error?: string;
        detail?: unknown;
        result?: SchemaIngestResult;
      };
      reject(
        new ImportFailed(
          xhr.status,
          env.error ?? xhr.statusText,
          env.detail ?? body,
          env.result ?? null,
        ),
      );
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

const DONE = new Set(["ok", "error"]);

/** The finished import row as the same result an import in the request answers with. */
export function runToResult(
  run: SchemaIngestRunRead,
  queued: SchemaIngestResult,
): SchemaIngestResult {
  return {
    ...queued,
    ...run.counts,
    import_id: run.id,
    file: queued.file || run.filename,
    format: run.format,
    tool: run.tool,
    tool_version: run.tool_version,
    status: run.status,
    partial: run.partial,
    sha256: run.sha256,
    duration_ms: run.duration_ms,
    warnings: run.warnings,
    error: run.error,
  };
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/**
 * Follow a queued import (GET /imports/{id}) until a worker has finished it: resolves with the
 * result (as a 201 would have answered), rejects with ImportFailed when the import failed.
 */
export async function followImport(
  queued: SchemaIngestResult,
  {
    onQueued,
    pollMs = 1000,
    signal,
  }: { onQueued?: (run: QueuedProgress) => void; pollMs?: number; signal?: AbortSignal } = {},
): Promise<SchemaIngestResult> {
  const id = queued.import_id;
  if (!id) throw new ApiError(500, "ImportLost", "the server queued the import without an id");
  for (;;) {
    const run = await unwrap(
      api.GET("/api/v1/imports/{import_id}", { params: { path: { import_id: id } }, signal }),
    );
    onQueued?.({
      importId: id,
      status: run.status,
      progressBytes: run.progress_bytes ?? null,
      sizeBytes: run.size_bytes,
    });
    if (DONE.has(run.status)) {
      const result = runToResult(run, queued);
      if (run.status === "error") {
        throw new ImportFailed(422, "ImportFailed", run.error ?? "the import failed", result);
      }
      return result;
    }
    await wait(pollMs, signal);
  }
}

/** Upload, and when the server queues the import (202 on PostgreSQL), follow it to its end. */
export async function uploadAndWait(options: UploadOptions): Promise<SchemaIngestResult> {
  const first = await uploadReport(options);
  if (first.status !== "queued") return first;
  return followImport(first, { onQueued: options.onQueued, pollMs: options.pollMs });
}

export function useUploadReport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: uploadAndWait,
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: importKeys.all }),
        queryClient.invalidateQueries({ queryKey: ["findings"] }),
        queryClient.invalidateQueries({ queryKey: ["assets"] }),
        queryClient.invalidateQueries({ queryKey: ["metrics"] }),
      ]),
  });
}
