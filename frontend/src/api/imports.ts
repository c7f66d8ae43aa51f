/**
 * Imports: the history (GET /imports) and the upload (POST /imports, multipart), which goes
 * through XMLHttpRequest because fetch cannot report upload progress.
 */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, readCookie, unwrap } from "./client";
import type { paths, SchemaIngestResult } from "./generated/schema";

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

export function useUploadReport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: uploadReport,
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: importKeys.all }),
        queryClient.invalidateQueries({ queryKey: ["findings"] }),
        queryClient.invalidateQueries({ queryKey: ["assets"] }),
        queryClient.invalidateQueries({ queryKey: ["metrics"] }),
      ]),
  });
}
