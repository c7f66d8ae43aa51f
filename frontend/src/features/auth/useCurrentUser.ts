import { useQuery } from "@tanstack/react-query";
import { meQuery, type SessionUser } from "../../api/auth";

/** The signed-in user; only for pages under the signed-in layout (which guarantees one). */
export function useCurrentUser(): SessionUser {
  const { data } = useQuery(meQuery);
  if (!data) throw new Error("useCurrentUser used outside a signed-in page");
  return data;
}
