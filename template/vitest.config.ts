import { defineConfig } from "vitest/config";

// Each project (two apps, packages/validation) has its own vitest.config.ts; all run in workerd.
export default defineConfig({
  test: {
    projects: ["apps/data-service", "apps/user-application", "packages/validation"],
    // The auth tests send ~150 bad tokens on purpose and the middleware logs each refusal
    // ("rejected token: ..."); their assertions say what matters. (A run-wide option: projects
    // cannot set it.)
    onConsoleLog: (log) => !log.startsWith("rejected token:"),
  },
});
