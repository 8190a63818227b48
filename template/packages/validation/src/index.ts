import { zValidator } from "@hono/zod-validator";
import type { Context, ValidationTargets } from "hono";
import type { z } from "zod";

/**
 * Route input validation: `jsonBody(schema)` and `pathParams(schema)` check the input before the
 * handler runs, and the handler reads the typed result with `c.req.valid("json" | "param")`.
 * A refusal is `400 {"error", "code", "issues"}`: the first problem in `error`, at most
 * MAX_ISSUES short `issues`. Never zod's own error object: it grows with the input (one issue
 * per bad array item, every unknown key listed), and a client would come to depend on its shape.
 * Both Workers import this one module (`@repo/validation`), so the API has one error shape that
 * cannot drift between two copies; each Worker still checks its own inputs.
 */
const MAX_ISSUES = 5;
const MAX_TEXT = 200;

/** What hono/validator parses as JSON; any other Content-Type is not read by it at all. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export interface InputIssue {
  path: string;
  message: string;
}

export interface InputError {
  error: string;
  code: string;
  issues: InputIssue[];
}

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/** A 400 body in the API's `{ error, code }` shape. */
function inputError(code: string, message: string, issues: InputIssue[] = []): InputError {
  return { error: clip(message), code, issues };
}

/** The 400 body for a failed schema: the first issue as `error`, at most MAX_ISSUES clipped ones. */
export function describeIssues(target: keyof ValidationTargets, error: z.core.$ZodError): InputError {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: clip(issue.path.map(String).join(".")),
    message: clip(issue.message),
  }));
  const [first] = issues;
  const summary = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : "invalid input";
  return inputError(`invalid_${target === "json" ? "body" : target}`, summary, issues);
}

/** zod-validator's hook: replace its default 400 (the raw zod result) with the capped shape. */
function refuseInvalid(
  result: { success: true } | { success: false; error: z.core.$ZodError; target: keyof ValidationTargets },
  c: Context,
) {
  if (!result.success) return c.json(describeIssues(result.target, result.error), 400);
}

/**
 * hono/validator reads a body only when it is declared JSON: any other body is validated as `{}`
 * (a text/plain `{"input": 42}` would pass as "no input"), and unparsable JSON becomes an
 * HTTPException that the app's onError answers 500. So read the body here first (hono/body-limit
 * in front has already capped its size; the text stays cached for the validator): a non-empty
 * body must be declared JSON and parse. An empty body without a JSON Content-Type is validated
 * as `{}`: the schema decides whether that is enough.
 */
async function refuseNonJsonBody(c: Context) {
  const text = await c.req.text();
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  if (JSON_MEDIA_TYPE.test(mediaType)) {
    try {
      JSON.parse(text);
    } catch {
      return c.json(inputError("malformed_json", "the request body is not valid JSON"), 400);
    }
  } else if (text.trim() !== "") {
    return c.json(inputError("malformed_json", "send the body as JSON with Content-Type: application/json"), 400);
  }
  return undefined;
}

/** Validate the JSON body with `schema`; the handler gets it from `c.req.valid("json")`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  const validate = zValidator("json", schema, refuseInvalid);
  const checked: typeof validate = async (c, next) => (await refuseNonJsonBody(c)) ?? validate(c, next);
  return checked;
}

/** Validate the path parameters with `schema`; the handler gets them from `c.req.valid("param")`. */
export function pathParams<T extends z.ZodType>(schema: T) {
  return zValidator("param", schema, refuseInvalid);
}
