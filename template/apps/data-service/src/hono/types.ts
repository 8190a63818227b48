/** Hono typing shared by the internal routes: bindings plus the trusted caller id. */
export type InternalEnv = {
  Bindings: Env;
  Variables: { userId: string };
};
