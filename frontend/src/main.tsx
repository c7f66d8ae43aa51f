import "./lib/zodConfig";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { authKeys } from "./api/auth";
import { ApiError } from "./api/client";
import { makeRouter } from "./router";
import "./styles.css";
import "./theme.css";

function onApiError(error: unknown) {
  // the session ended (expired, signed out elsewhere): back to the sign-in page
  if (error instanceof ApiError && error.status === 401) {
    queryClient.setQueryData(authKeys.me(), null);
    void router.navigate({ to: "/login", search: { redirect: router.state.location.href } });
  }
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});
const router = makeRouter(queryClient);

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
