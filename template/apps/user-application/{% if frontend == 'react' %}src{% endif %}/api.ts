import { hc } from "hono/client";
import type { InternalApiType } from "../../data-service/src/hono/app";
import type { AppType } from "../worker/hono/app";

/**
 * The SPA's only way to call the API. `AppType` is the User Worker's chain of routes; `InternalApiType`
 * is the Data Worker's, which the User Worker proxies under /api/internal/* (path unchanged). A renamed
 * route or field in either Worker fails `npm run typecheck` here and in the components.
 */
export function apiClients(token: string) {
  const options = { headers: { Authorization: `Bearer ${token}` } };
  return {
    user: hc<AppType>(window.location.origin, options),
    data: hc<InternalApiType>(window.location.origin, options),
  };
}

export type Api = ReturnType<typeof apiClients>;

/** What every panel gets: the clients, and a way to end the session when the API says 401. */
export interface PanelProps {
  api: Api;
  onUnauthorized: () => void;
}

/** The auth middleware's 401 is not among a route's typed responses, so it is checked on its own. */
export const isUnauthorized = (res: { status: number }) => res.status === 401;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
