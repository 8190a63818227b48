/** Public User Worker: static assets (public/) plus the authenticated API in ./hono/app. */
import { App } from "./hono/app";

export default {
  fetch: App.fetch,
} satisfies ExportedHandler<Env>;
