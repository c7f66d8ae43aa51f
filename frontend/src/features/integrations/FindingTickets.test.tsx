import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockApi } from "../../test/mockApi";
import { renderWithQuery } from "../../test/render";
import { FindingTicketsSection } from "./FindingTickets";

const FINDING = "00000000-0000-4000-8000-0000000000f1";
const base = {
  id: "00000000-0000-4000-8000-0000000000t1",
  tracker: "jira",
  kind: "jira_cloud",
  project: "SEC",
  title: "[P1] SQL injection (acme/api)",
  priority: "P1",
  due_date: "2026-12-14",
  key: null,
  url: null,
  tracker_status: null,
  resolution: null,
  wont_do: false,
  finding_ids: [FINDING],
  created_by: "user:lead",
  created_at: "2026-12-07T00:00:00Z",
  synced_at: null,
  closed_at: null,
  operations: [],
};
const page = (items: unknown[]) => ({ items, total: items.length, limit: 20, offset: 0 });

describe("FindingTicketsSection", () => {
  it("creates a ticket for the finding and shows its key, link and status", async () => {
    let items: unknown[] = [];
    const { calls } = mockApi({
      "GET /api/v1/tickets": () => page(items),
      "POST /api/v1/tickets": () => {
        items = [
          { ...base, status: "open", key: "SEC-1", url: "https://acme.atlassian.net/browse/SEC-1" },
        ];
        return { tickets: items, already_linked: [] };
      },
    });
    renderWithQuery(<FindingTicketsSection findingId={FINDING} canCreate canRetry={false} />);
    expect(await screen.findByText("No ticket yet.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Create ticket" }));
    const link = await screen.findByTestId("ticket-key");
    expect(link).toHaveTextContent("SEC-1");
    expect(link).toHaveAttribute("href", "https://acme.atlassian.net/browse/SEC-1");
    expect(screen.getByTestId("ticket-status")).toHaveTextContent("open");
    expect(screen.queryByRole("button", { name: "Create ticket" })).not.toBeInTheDocument();
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toEqual({ ids: [FINDING] });
    expect(calls.find((c) => c.method === "GET")?.query.get("finding_id")).toBe(FINDING);
  });

  it("shows a ticket closed as won't do, and a failed one with its error and a retry", async () => {
    mockApi({
      "GET /api/v1/tickets": page([
        {
          ...base,
          status: "closed",
          key: "SEC-2",
          url: "https://acme.atlassian.net/browse/SEC-2",
          tracker_status: "Done",
          resolution: "Won't Do",
          wont_do: true,
        },
        {
          ...base,
          id: "00000000-0000-4000-8000-0000000000t2",
          status: "failed",
          operations: [
            {
              id: "00000000-0000-4000-8000-0000000000o1",
              action: "create",
              status: "failed",
              attempts: 1,
              created_at: "2026-12-07T00:00:00Z",
              next_attempt_at: null,
              last_attempt_at: "2026-12-07T00:00:01Z",
              done_at: null,
              response_code: 400,
              error: "answered HTTP 400: project: valid project is required",
            },
          ],
        },
      ]),
    });
    renderWithQuery(<FindingTicketsSection findingId={FINDING} canCreate canRetry />);
    expect(await screen.findByText("won't do")).toBeInTheDocument();
    expect(screen.getByText("Done (Won't Do)")).toBeInTheDocument();
    expect(screen.getByText(/create failed: answered HTTP 400/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument());
  });
});
