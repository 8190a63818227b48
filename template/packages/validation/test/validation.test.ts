import { type InputError, describeIssues, jsonBody, pathParams } from "@repo/validation";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";

// The helpers on their own, on a bare Hono app in workerd; each Worker's tests check its routes.

/** A 400 in the API's shape; returns its body. */
async function refused(res: Response, code: string): Promise<InputError> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as InputError;
  expect(body).toMatchObject({ code, error: expect.any(String) });
  return body;
}

describe("validation errors", () => {
  it("list at most 5 issues, each clipped, whatever the input", () => {
    const many = z.array(z.string()).safeParse(Array.from({ length: 1000 }, (_, i) => i));
    const longKey = z.record(z.string(), z.number()).safeParse({ ["k".repeat(10_000)]: "x" });
    const longMessage = z.string().refine(() => false, "m".repeat(10_000)).safeParse("x");
    for (const result of [many, longKey, longMessage]) {
      if (result.success) throw new Error("expected a failure");
      const body = describeIssues("json", result.error);
      expect(body.code).toBe("invalid_body");
      expect(body.issues.length).toBeGreaterThan(0);
      expect(body.issues.length).toBeLessThanOrEqual(5);
      expect(JSON.stringify(body).length).toBeLessThan(2_000);
    }
  });
});

describe("jsonBody and pathParams", () => {
  const Name = z.object({ name: z.string().max(8) });
  const app = new Hono()
    .post("/echo", jsonBody(Name), (c) => c.json(c.req.valid("json")))
    .get("/echo/:name", pathParams(Name), (c) => c.json(c.req.valid("param")));
  const send = (body: string, contentType = "application/json") =>
    app.request("/echo", { method: "POST", body, headers: { "Content-Type": contentType } });

  it("hand the handler the parsed value, unknown fields dropped", async () => {
    const res = await send(JSON.stringify({ name: "ada", role: "admin" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "ada" });
    expect(await (await app.request("/echo/ada")).json()).toEqual({ name: "ada" });
  });

  it.each([
    ["wrong type", { name: 42 }],
    ["missing field", {}],
    ["string over its limit", { name: "x".repeat(9) }],
  ])("refuse a body with a %s: 400 invalid_body", async (_case, body) => {
    const error = await refused(await send(JSON.stringify(body)), "invalid_body");
    expect(error.issues[0]?.path).toBe("name");
  });

  it("refuse malformed JSON, JSON under another Content-Type, and no body at all", async () => {
    await refused(await send('{"name": '), "malformed_json");
    await refused(await send(JSON.stringify({ name: "ada" }), "text/plain"), "malformed_json");
    await refused(await app.request("/echo", { method: "POST" }), "invalid_body");
  });

  it("refuse a path parameter over its limit: 400 invalid_param", async () => {
    await refused(await app.request(`/echo/${"x".repeat(9)}`), "invalid_param");
  });
});
