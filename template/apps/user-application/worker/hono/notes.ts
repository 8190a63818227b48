import type { Context } from "hono";
import type { AppEnv } from "./types";

export interface Note {
  id: number;
  title: string;
  body: string;
  createdAt: string;
}

/** GET /api/notes: the caller's notes from D1 (migrations/ creates and seeds the table). */
export async function listNotes(c: Context<AppEnv>): Promise<Response> {
  const { results } = await c.env.DB.prepare(
    "SELECT id, title, body, created_at AS createdAt FROM notes WHERE user_id = ? ORDER BY id",
  )
    .bind(c.get("userId"))
    .all<Note>();
  return c.json({ notes: results });
}
