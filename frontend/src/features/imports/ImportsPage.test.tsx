import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SchemaAssetRead } from "../../api/generated/schema";
import { uploadReport } from "../../api/imports";
import { page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";
import { importableAssets } from "./UploadPanel";

const run = {
  id: "00000000-0000-4000-8000-0000000000b1",
  filename: "/ci/reports/semgrep.sarif",
  sha256: "ab",
  size_bytes: 1000,
  format: "sarif",
  tool: "semgrep",
  tool_version: "1.85.0",
  asset_id: null,
  asset: "acme/web",
  scope_target: "",
  partial: false,
  uploaded_by: "user:lead",
  status: "ok",
  error: null,
  started_at: "2026-12-03T10:00:00Z",
  finished_at: "2026-12-03T10:00:01Z",
  duration_ms: 900,
  counts: { records: 5, new_findings: 2, unchanged: 3, resolved_findings: 1, skipped: 0 },
  warnings: [],
};

function asset(name: string, owner_team: string | null, kind = "repository"): SchemaAssetRead {
  return {
    id: `00000000-0000-4000-8000-${name.length.toString().padStart(12, "0")}`,
    name,
    kind,
    key: null,
    environment: "prod",
    exposure: "internal",
    data_sensitivity: "internal",
    data_tags: [],
    criticality: null,
    owner_team,
    match: [],
    findings: 0,
    created_at: "2026-12-01T00:00:00Z",
    updated_at: "2026-12-01T00:00:00Z",
  };
}

const assets = [
  asset("acme/web", "web"),
  asset("acme/payments", "payments"),
  asset("acme/lab", null),
  asset("unassigned", null, "unassigned"),
];

function setup(role: "engineer" | "viewer" | "security_lead") {
  return mockApi({
    "GET /api/v1/auth/me": makeUser({ role, teams: role === "engineer" ? ["web"] : [] }),
    "GET /api/v1/assets": assets,
    "GET /api/v1/imports/formats": [
      { name: "checkov", title: "Checkov JSON" },
      { name: "gitleaks", title: "Gitleaks JSON" },
    ],
    "GET /api/v1/imports": page([
      run,
      { ...run, id: "x2", status: "error", error: "not a report" },
    ]),
  });
}

describe("ImportsPage", () => {
  it("lists imports with their counts and errors, and offers the upload to workers", async () => {
    setup("engineer");
    renderApp("/imports");
    const rows = await screen.findAllByTestId("import-row");
    expect(rows[0]).toHaveTextContent("semgrep.sarif");
    expect(
      within(rows[0] as HTMLElement)
        .getAllByRole("cell")
        .map((c) => c.textContent),
    ).toEqual(expect.arrayContaining(["5", "2", "3", "1", "0"]));
    expect(rows[1]).toHaveTextContent("failed");
    expect(rows[1]).toHaveTextContent("not a report");
    expect(screen.getByRole("button", { name: "Choose a file…" })).toBeInTheDocument();
    expect(screen.getByLabelText("Report file")).toHaveAttribute("type", "file");
  });

  it("shows a viewer the history without the upload", async () => {
    setup("viewer");
    renderApp("/imports");
    await screen.findAllByTestId("import-row");
    expect(screen.queryByText("Upload a report")).not.toBeInTheDocument();
  });
});

describe("filtering the history", () => {
  it("asks the API for the asset, tool and status in the URL and names each import's asset", async () => {
    const { calls } = setup("security_lead");
    renderApp("/imports?asset=acme%2Fweb&tool=checkov&status=error");
    const rows = await screen.findAllByTestId("import-row");
    const list = calls.filter((c) => c.path === "/api/v1/imports");
    expect(list.at(-1)?.query.get("asset")).toBe("acme/web");
    expect(list.at(-1)?.query.get("tool")).toBe("checkov");
    expect(list.at(-1)?.query.get("status")).toBe("error");
    expect(rows[0]).toHaveTextContent("acme/web");
    const filters = screen.getByRole("form", { name: "Filter imports" });
    expect(within(filters).getByLabelText("Into asset")).toHaveValue("acme/web");
    expect(within(filters).getByLabelText("Tool or format")).toHaveValue("checkov");
    expect(within(filters).getByLabelText("Status")).toHaveValue("error");
  });

  it("writes each chosen filter to the URL", async () => {
    const user = userEvent.setup();
    const { calls } = setup("security_lead");
    const { router } = renderApp("/imports");
    await screen.findAllByTestId("import-row");
    const filters = screen.getByRole("form", { name: "Filter imports" });
    const asset = within(filters).getByLabelText("Into asset");
    await waitFor(() => expect(asset.querySelectorAll("option").length).toBeGreaterThan(1));
    await user.selectOptions(asset, "acme/payments");
    await user.type(within(filters).getByLabelText("Tool or format"), "gitleaks{Enter}");
    // applying the tool renders the form afresh (its text box starts from the URL)
    const again = await screen.findByRole("form", { name: "Filter imports" });
    await waitFor(() =>
      expect(within(again).getByLabelText("Tool or format")).toHaveValue("gitleaks"),
    );
    await user.selectOptions(within(again).getByLabelText("Status"), "queued");
    await waitFor(() =>
      expect(router.state.location.search).toEqual({
        asset: "acme/payments",
        tool: "gitleaks",
        status: "queued",
      }),
    );
    await waitFor(() =>
      expect(
        calls
          .filter((c) => c.path === "/api/v1/imports")
          .at(-1)
          ?.query.toString(),
      ).toBe("limit=25&offset=0&status=queued&asset=acme%2Fpayments&tool=gitleaks"),
    );
  });

  it("says when nothing matches the filters", async () => {
    mockApi({
      "GET /api/v1/auth/me": makeUser({ role: "viewer" }),
      "GET /api/v1/assets": assets,
      "GET /api/v1/imports/formats": [],
      "GET /api/v1/imports": page([]),
    });
    renderApp("/imports?tool=zap");
    expect(await screen.findByText("No imports match these filters.")).toBeInTheDocument();
  });
});

describe("uploading on the page", () => {
  it("shows the detected tool and the new/unchanged/resolved/error counts", async () => {
    setup("engineer");
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    FakeXhr.reply = {
      status: 201,
      body: {
        import_id: "0a49d5e2-0000-4000-8000-000000000001",
        file: "scan.json",
        status: "ok",
        tool: "gitleaks",
        format: "gitleaks",
        asset: "acme/web",
        records: 9,
        findings: 8,
        new_findings: 4,
        unchanged: 3,
        resolved_findings: 2,
        reopened_findings: 1,
        suppressed: 0,
        skipped: 1,
        warnings: ["record 3: no rule id; skipped"],
      },
    };
    renderApp("/imports");
    const input = await screen.findByLabelText("Report file");
    await userEvent.upload(input, new File(["{}"], "scan.json"));
    const result = await screen.findByTestId("import-result");
    expect(result).toHaveTextContent("Imported scan.json as gitleaks into acme/web");
    expect(within(result).getByTestId("count-new")).toHaveTextContent("4");
    expect(within(result).getByTestId("count-unchanged")).toHaveTextContent("3");
    expect(within(result).getByTestId("count-resolved")).toHaveTextContent("2");
    expect(within(result).getByTestId("count-skipped")).toHaveTextContent("1");
    expect(within(result).getByText("1 warnings")).toBeInTheDocument();
    // exactly this import's findings (new, resolved, reopened), not every gitleaks finding
    expect(within(result).getByRole("link", { name: /what this import changed/ })).toHaveAttribute(
      "href",
      "/findings?import_id=0a49d5e2-0000-4000-8000-000000000001&view=all",
    );
    // an engineer's upload goes to one of their teams' assets, chosen up front
    expect(FakeXhr.last?.url).toBe("/api/v1/imports?filename=scan.json&asset=acme%2Fweb");
  });

  it("lists the formats the server reads, from the server", async () => {
    setup("engineer");
    renderApp("/imports");
    const zone = await screen.findByTestId("readable-formats");
    await waitFor(() => expect(zone).toHaveTextContent("Reads: Checkov JSON, Gitleaks JSON."));
    expect(zone).not.toHaveTextContent("ZAP");
    const format = screen.getByRole("combobox", { name: "Format" });
    expect([...format.querySelectorAll("option")].map((o) => o.value)).toEqual([
      "",
      "checkov",
      "gitleaks",
    ]);
  });

  it("says what to do when the format is not detected, in the dashboard's words", async () => {
    setup("security_lead");
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const detail =
      "notes.txt: not a format we read (tried checkov, gitleaks); pass --format to choose one";
    FakeXhr.reply = { status: 422, body: { error: "UnsupportedFormat", detail } };
    renderApp("/imports");
    await userEvent.upload(
      await screen.findByLabelText("Report file"),
      new File(["x"], "notes.txt"),
    );
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The format of notes.txt was not recognised");
    expect(alert).toHaveTextContent("choose its format under Format");
    expect(alert).not.toHaveTextContent("--format");
  });

  it("uploads into the asset, scope and format chosen up front, or a new asset", async () => {
    setup("engineer");
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    FakeXhr.reply = { status: 201, body: { file: "scan.json", status: "ok", asset: "acme/new" } };
    renderApp("/imports");
    const picker = await screen.findByRole("combobox", { name: "Asset" });
    await waitFor(() =>
      expect([...picker.querySelectorAll("option")].map((o) => o.textContent)).toEqual([
        "acme/web",
        "New asset…",
      ]),
    );
    await userEvent.selectOptions(picker, "New asset…");
    await userEvent.type(screen.getByLabelText("New asset name"), "acme/new");
    await userEvent.type(screen.getByLabelText("Scope (optional)"), "main");
    await userEvent.click(screen.getByLabelText(/Partial report/));
    await waitFor(() =>
      expect(
        screen.getByRole("combobox", { name: "Format" }).querySelectorAll("option"),
      ).toHaveLength(3),
    );
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Format" }), "gitleaks");
    await userEvent.upload(screen.getByLabelText("Report file"), new File(["{}"], "scan.json"));
    expect(await screen.findByTestId("import-result")).toHaveTextContent("into acme/new");
    expect(FakeXhr.last?.url).toBe(
      "/api/v1/imports?filename=scan.json&asset=acme%2Fnew&scope=main&partial=true&format=gitleaks",
    );
  });

  it("says clearly why an import was refused (403) and how to name the asset", async () => {
    setup("engineer");
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const detail =
      "records that name no asset land on 'unassigned', which belongs to no team; name the asset with ?asset= (aspm ingest --asset)";
    FakeXhr.reply = { status: 403, body: { error: "PermissionDenied", detail } };
    renderApp("/imports");
    await userEvent.upload(await screen.findByLabelText("Report file"), new File(["{}"], "r.json"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Import of r.json refused.");
    expect(alert).toHaveTextContent(detail);
    expect(screen.getByTestId("import-refused-hint")).toHaveTextContent("Choose an asset");
    expect(screen.queryByTestId("import-result")).not.toBeInTheDocument();
  });
});

describe("importableAssets", () => {
  it("offers a lead every asset and an engineer their teams' assets, never unassigned", () => {
    expect(importableAssets({ role: "security_lead", teams: [] }, assets)).toEqual([
      "acme/lab",
      "acme/payments",
      "acme/web",
    ]);
    expect(importableAssets({ role: "engineer", teams: ["web", "payments"] }, assets)).toEqual([
      "acme/payments",
      "acme/web",
    ]);
    expect(importableAssets({ role: "viewer", teams: ["web"] }, assets)).toEqual([]);
  });
});

/** A stand-in for XMLHttpRequest: records the request, reports progress, answers `reply`. */
class FakeXhr {
  static last: FakeXhr | null = null;
  static reply: { status: number; body: unknown } = { status: 201, body: {} };
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  statusText = "";
  responseText = "";
  withCredentials = false;
  upload: {
    onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null;
  } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
    FakeXhr.last = this;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
    this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
    this.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 100 });
    this.status = FakeXhr.reply.status;
    this.responseText = JSON.stringify(FakeXhr.reply.body);
    this.onload?.();
  }
}

describe("uploadReport", () => {
  it("posts the file as multipart with the CSRF header and reports progress", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    // biome-ignore lint/suspicious/noDocumentCookie: jsdom has no Cookie Store API
    document.cookie = "aspm_csrf=tok123";
    FakeXhr.reply = { status: 201, body: { file: "r.sarif", status: "ok", new_findings: 2 } };
    const progress: number[] = [];
    const file = new File(['{"version":"2.1.0"}'], "r.sarif");
    const result = await uploadReport({ file, onProgress: (f) => progress.push(f) });
    expect(result).toMatchObject({ status: "ok", new_findings: 2 });
    const xhr = FakeXhr.last;
    expect(xhr?.method).toBe("POST");
    expect(xhr?.url).toBe("/api/v1/imports?filename=r.sarif");
    expect(xhr?.headers["X-CSRF-Token"]).toBe("tok123");
    expect(xhr?.body).toBeInstanceOf(FormData);
    expect((xhr?.body as FormData | undefined)?.get("file")).toBeInstanceOf(File);
    expect(progress).toEqual([0.5, 1]);
  });

  it("rejects with the server's reason and the partial result when the report is unreadable", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    FakeXhr.reply = {
      status: 422,
      body: {
        error: "IngestError",
        detail: "no ingestor recognises notes.txt",
        result: { file: "notes.txt", status: "error" },
      },
    };
    const failure = uploadReport({ file: new File(["hello"], "notes.txt") });
    await expect(failure).rejects.toMatchObject({
      status: 422,
      message: "no ingestor recognises notes.txt",
      result: { file: "notes.txt", status: "error" },
    });
  });
});
