/**
 * The one HTTP client: openapi-fetch typed by the generated schema, same-origin cookies, and the
 * CSRF header (the `aspm_csrf` cookie's value) on every state-changing request.
 * Components never call this directly: they use the query options and mutations in api/<domain>.ts.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./generated/schema";

/** The backend's error envelope (`{"error": "...", "detail": ...}`) as a thrown value. */
export class ApiError extends Error {
  readonly status: number;
  readonly error: string;
  readonly detail: unknown;

  constructor(status: number, error: string, detail: unknown) {
    super(describeDetail(detail) || `${status} ${error}`);
    this.name = "ApiError";
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
}

function describeDetail(detail: unknown): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        if (d && typeof d === "object" && "msg" in d) {
          const loc = "loc" in d && Array.isArray(d.loc) ? `${d.loc.slice(1).join(".")}: ` : "";
          return `${loc}${String(d.msg)}`;
        }
        return JSON.stringify(d);
      })
      .join("; ");
  }
  return detail == null ? "" : JSON.stringify(detail);
}

export function readCookie(name: string): string | undefined {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(";")) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method)) {
      const token = readCookie("aspm_csrf");
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "" : window.location.origin,
  credentials: "same-origin",
  // looked up on each call so tests can replace globalThis.fetch
  fetch: (request: Request) => globalThis.fetch(request),
  querySerializer: { array: { style: "form", explode: true } },
});
api.use(csrfMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The response body, or an ApiError carrying the backend's envelope. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error ?? {}) as { error?: unknown; detail?: unknown };
    throw new ApiError(
      response.status,
      typeof body.error === "string" ? body.error : response.statusText,
      body.detail ?? error,
    );
  }
  return data as T;
}

type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

/**
 * A JSON request for an endpoint that is not (yet) in the generated schema. Prefer the typed
 * `api` client; this exists for contract endpoints still being built, and sends the same headers.
 */
export async function request<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  options: { body?: unknown; query?: Record<string, QueryValue> } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE_METHODS.has(method)) {
    const csrf = readCookie("aspm_csrf");
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value == null || value === "") continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const qs = params.toString();
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const response = await globalThis.fetch(`${origin}${path}${qs ? `?${qs}` : ""}`, {
    method,
    headers,
    credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const env = (data && typeof data === "object" ? data : {}) as {
      error?: string;
      detail?: unknown;
    };
    throw new ApiError(response.status, env.error ?? response.statusText, env.detail ?? data);
  }
  return data as T;
}
