import { defineConfig } from "vitest/config";

// Each app has its own vitest.config.ts; both run inside workerd via @cloudflare/vitest-plugin.
export default defineConfig({
  test: {
    projects: ["apps/data-service", "apps/user-application"],
    // The auth tests send ~150 bad tokens on purpose and the middleware logs each refusal
    // ("rejected token: ..."); their assertions say what matters. (A run-wide option: projects
    // cannot set it.)
    onConsoleLog: (log) => !log.startsWith("rejected token:"),
  },
});
