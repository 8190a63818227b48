// Reads the Workers' wrangler.jsonc files for the deploy scripts, so the names they need are
// written once, in the configs, never repeated here.
import { readFileSync } from "node:fs";

export const CONFIGS = {
  data: "apps/data-service/wrangler.jsonc",
  user: "apps/user-application/wrangler.jsonc",
};

/** JSON with comments and trailing commas (what wrangler.jsonc allows) -> a value. */
export function parseJsonc(text) {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      if (i < 0) throw new Error("unterminated /* comment");
      i++;
    } else {
      out += c;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

/** The block wrangler uses for `env` ("" or undefined: the top level). Bindings are not inherited. */
export function block(path, env) {
  const config = parseJsonc(readFileSync(path, "utf8"));
  if (!env) return config;
  const own = config.env?.[env];
  if (!own) throw new Error(`${path} has no env.${env}`);
  return own;
}
