import type { QueryClient } from "@tanstack/react-query";
import { createRootRouteWithContext, Link, Outlet } from "@tanstack/react-router";
import { DocumentTitle } from "../components/layout/DocumentTitle";

export interface RouterContext {
  queryClient: QueryClient;
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: () => (
    <>
      <DocumentTitle />
      <Outlet />
    </>
  ),
  notFoundComponent: () => (
    <main className="page">
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">Go home</Link>.
      </p>
    </main>
  ),
});
