import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { makeFinding, page } from "../../test/fixtures";
import { makeUser, mockApi } from "../../test/mockApi";
import { renderApp } from "../../test/render";

function setup(url: string) {
  const api = mockApi({
    "GET /api/v1/auth/me": makeUser({ role: "security_lead" }),
    "GET /api/v1/findings": page([makeFinding({ title: "Leaked AWS key", priority: "P1" })], 1),
  });
  return { ...api, ...renderApp(url) };
}

const lastListQuery = (calls: { method: string; path: string; query: URLSearchParams }[]) =>
  calls.filter((c) => c.method === "GET" && c.path === "/api/v1/findings").at(-1)?.query;

const pressed = (name: string) => screen.getByRole("button", { name }).getAttribute("aria-pressed");

describe("queue priority and environment filters", () => {
  it("show the URL's priorities and environments and send them to the API", async () => {
    const { calls } = setup("/findings?priority=P1,none&environment=prod,staging");
    await screen.findByText("Leaked AWS key");
    expect(pressed("P1")).toBe("true");
    expect(pressed("no priority")).toBe("true");
    expect(pressed("P2")).toBe("false");
    expect(pressed("prod")).toBe("true");
    expect(pressed("staging")).toBe("true");
    expect(pressed("dev")).toBe("false");
    const q = lastListQuery(calls);
    expect(q?.getAll("priority")).toEqual(["P1", "none"]);
    expect(q?.getAll("environment")).toEqual(["prod", "staging"]);
  });

  it("write a toggled priority or environment into the URL and refetch from the first page", async () => {
    const user = userEvent.setup();
    const { calls, router } = setup("/findings?offset=50");
    await screen.findByText("Leaked AWS key");
    expect(lastListQuery(calls)?.getAll("priority")).toEqual([]);

    await user.click(screen.getByRole("button", { name: "P2" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ priority: "P2" }));
    await waitFor(() => expect(lastListQuery(calls)?.getAll("priority")).toEqual(["P2"]));
    expect(lastListQuery(calls)?.get("offset")).toBe("0");

    await user.click(screen.getByRole("button", { name: "prod" }));
    await user.click(screen.getByRole("button", { name: "dev" }));
    await waitFor(() =>
      expect(router.state.location.search).toEqual({ priority: "P2", environment: "prod,dev" }),
    );
    await waitFor(() =>
      expect(lastListQuery(calls)?.getAll("environment")).toEqual(["prod", "dev"]),
    );

    // toggling off removes the value; the last one removes the param
    await user.click(screen.getByRole("button", { name: "P2" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ environment: "prod,dev" }));
    await waitFor(() => expect(lastListQuery(calls)?.getAll("priority")).toEqual([]));
  });

  it("are cleared with the other filters", async () => {
    const user = userEvent.setup();
    const { calls, router } = setup("/findings?priority=P1&environment=prod&severity=high");
    await screen.findByText("Leaked AWS key");
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(router.state.location.search).toEqual({}));
    await waitFor(() => {
      const q = lastListQuery(calls);
      expect(q?.getAll("priority")).toEqual([]);
      expect(q?.getAll("environment")).toEqual([]);
      expect(q?.getAll("severity")).toEqual([]);
    });
  });
});
