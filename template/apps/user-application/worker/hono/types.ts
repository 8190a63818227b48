/** Hono typing for the User Worker: bindings plus the verified caller id set by authMiddleware. */
export type AppEnv = {
  Bindings: Env;
  Variables: { userId: string };
};
