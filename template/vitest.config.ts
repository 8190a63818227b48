import { defineConfig } from "vitest/config";

// Each app has its own vitest.config.ts; both run inside workerd via @cloudflare/vitest-plugin.
export default defineConfig({
  test: {
    projects: ["apps/data-service", "apps/user-application"],
  },
});
