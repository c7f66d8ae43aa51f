/**
 * A fake backend for component tests: `mockApi({ "GET /api/v1/findings": page, ... })` replaces
 * `fetch`. A handler is a value (sent as JSON, 200) or a function of the request; an unlisted
 * request fails the test with its method and path. Every request is recorded in `calls`.
 */
import { vi } from "vitest";
import type { SchemaMe } from "../api/generated/schema";

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

type Handler = unknown | ((call: RecordedCall) => unknown | Promise<unknown>);

export function mockApi(routes: Record<string, Handler>) {
  const calls: RecordedCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url);
    const text = request.body ? await request.text() : "";
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    const handler = match(routes, call);
    if (handler === undefined) {
      return json(501, {
        error: "NotMocked",
        detail: `no mock for ${call.method} ${call.path}`,
      });
    }
    const result = typeof handler === "function" ? await handler(call) : handler;
    if (result instanceof Reply) return json(result.status, result.body);
    return json(200, result);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

function match(routes: Record<string, Handler>, call: RecordedCall): Handler | undefined {
  for (const [key, handler] of Object.entries(routes)) {
    const [method, pattern] = key.split(" ", 2);
    if (method !== call.method || !pattern) continue;
    const re = new RegExp(`^${pattern.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (re.test(call.path)) return handler;
  }
  return undefined;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function makeUser(overrides: Partial<SchemaMe> = {}): SchemaMe {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    username: "lead",
    display_name: "Demo lead",
    role: "security_lead",
    teams: [],
    active: true,
    must_change_password: false,
    created_at: "2026-12-01T00:00:00Z",
    kind: "user",
    scopes: ["read", "triage", "ingest"],
    ...overrides,
  };
}
