/** Uploads on PostgreSQL: the server answers 202 with a queued import, and the dashboard polls
 * GET /imports/{id} (showing progress_bytes of size_bytes) until it is ok or error. */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ImportFailed, type QueuedProgress, uploadAndWait } from "../../api/imports";
import { page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

const ID = "0a49d5e2-0000-4000-8000-0000000000e1";

const queued = {
  import_id: ID,
  file: "big.sarif",
  status: "queued",
  asset: "acme/web",
  records: 0,
  findings: 0,
  warnings: [],
};

function run(status: string, extra: Record<string, unknown> = {}) {
  return {
    id: ID,
    filename: "big.sarif",
    sha256: "ab",
    size_bytes: 2048,
    format: "sarif",
    tool: "semgrep",
    tool_version: "1.85.0",
    asset_id: null,
    scope_target: "",
    partial: false,
    uploaded_by: "user:lead",
    status,
    error: null,
    started_at: "2026-12-06T10:00:00Z",
    finished_at: null,
    duration_ms: null,
    progress_bytes: null,
    counts: {},
    warnings: [],
    ...extra,
  };
}

const done = run("ok", {
  finished_at: "2026-12-06T10:00:09Z",
  duration_ms: 9000,
  counts: { records: 12, findings: 10, new_findings: 7, unchanged: 2, resolved_findings: 1 },
  warnings: ["record 3: no rule id; skipped"],
});

/** An XMLHttpRequest that answers 202 with the queued import. */
class QueuingXhr {
  static last: QueuingXhr | null = null;
  url = "";
  status = 0;
  statusText = "";
  responseText = "";
  withCredentials = false;
  upload = { onprogress: null as ((e: ProgressEvent) => void) | null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  open(_method: string, url: string) {
    this.url = url;
    QueuingXhr.last = this;
  }
  setRequestHeader() {}
  send() {
    this.status = 202;
    this.responseText = JSON.stringify(queued);
    setTimeout(() => this.onload?.(), 0);
  }
}

/** GET /imports/{id} answers these in turn (the last one from then on). */
function polls(...answers: unknown[]) {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)];
}

describe("a queued upload (202)", () => {
  it("polls the import until it is done and answers as a finished upload would", async () => {
    vi.stubGlobal("XMLHttpRequest", QueuingXhr);
    const { calls } = mockApi({
      "GET /api/v1/imports/{id}": polls(
        run("queued"),
        run("running", { progress_bytes: 512 }),
        run("running", { progress_bytes: 1536 }),
        done,
      ),
    });
    const seen: QueuedProgress[] = [];
    const result = await uploadAndWait({
      file: new File(["{}"], "big.sarif"),
      asset: "acme/web",
      onQueued: (p) => seen.push(p),
      pollMs: 1,
    });
    expect(seen.map((p) => [p.status, p.progressBytes, p.sizeBytes])).toEqual([
      ["queued", null, 2048],
      ["running", 512, 2048],
      ["running", 1536, 2048],
      ["ok", null, 2048],
    ]);
    expect(calls.every((c) => c.path === `/api/v1/imports/${ID}`)).toBe(true);
    expect(result).toMatchObject({
      import_id: ID,
      file: "big.sarif",
      asset: "acme/web",
      status: "ok",
      tool: "semgrep",
      records: 12,
      new_findings: 7,
      unchanged: 2,
      resolved_findings: 1,
      duration_ms: 9000,
      warnings: ["record 3: no rule id; skipped"],
    });
  });

  it("rejects with the import's error and its result when the worker fails it", async () => {
    vi.stubGlobal("XMLHttpRequest", QueuingXhr);
    mockApi({
      "GET /api/v1/imports/{id}": polls(
        run("running", { progress_bytes: 10 }),
        run("error", { error: "not a SARIF log: no runs" }),
      ),
    });
    const failure = uploadAndWait({ file: new File(["{}"], "big.sarif"), pollMs: 1 });
    await expect(failure).rejects.toBeInstanceOf(ImportFailed);
    const err = (await failure.catch((e: unknown) => e)) as ImportFailed;
    expect(err.message).toBe("not a SARIF log: no runs");
    expect(err.result?.status).toBe("error");
  });

  it("shows the worker's progress on the page, then the same result panel", async () => {
    vi.stubGlobal("XMLHttpRequest", QueuingXhr);
    mockApi({
      "GET /api/v1/auth/me": makeUser(),
      "GET /api/v1/views": [],
      "GET /api/v1/assets": [],
      "GET /api/v1/imports/formats": [{ name: "sarif", title: "SARIF 2.1.0" }],
      "GET /api/v1/imports": page([]),
      "GET /api/v1/imports/{id}": polls(run("running", { progress_bytes: 1024 }), done),
    });
    renderApp("/imports");
    const input = await screen.findByLabelText("Report file");
    await userEvent.upload(input, new File(["{}"], "big.sarif"));
    const status = await screen.findByTestId("import-queued");
    await waitFor(() =>
      expect(status).toHaveTextContent("Importing big.sarif: 1.0 KB of 2.0 KB read (50%)"),
    );
    const result = await screen.findByTestId("import-result", {}, { timeout: 4000 });
    expect(result).toHaveTextContent("Imported big.sarif as semgrep");
    expect(within(result).getByTestId("count-new")).toHaveTextContent("7");
    expect(screen.queryByTestId("import-queued")).not.toBeInTheDocument();
  });
});
