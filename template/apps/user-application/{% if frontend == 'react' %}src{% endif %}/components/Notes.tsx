import type { InferResponseType } from "hono/client";
import { useEffect, useState } from "react";
import { type Api, isUnauthorized, type PanelProps } from "../api";

type Note = InferResponseType<Api["user"]["api"]["notes"]["$get"], 200>["notes"][number];

/** GET /api/notes: the signed-in user's notes, read from D1 by the User Worker. */
export function Notes({ api, onUnauthorized }: PanelProps) {
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    let live = true;
    api.user.api.notes
      .$get()
      .then(async (res) => {
        if (!live) return;
        if (isUnauthorized(res)) return onUnauthorized();
        if (!res.ok) return setError(`GET /api/notes → ${res.status}`);
        const { notes } = await res.json();
        if (live) setNotes(notes);
      })
      .catch(() => live && setError("GET /api/notes: no answer"));
    return () => {
      live = false;
    };
  }, [api, onUnauthorized]);

  return (
    <section aria-labelledby="notes-title">
      <h2 id="notes-title">My notes</h2>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : notes === null ? (
        <p className="muted">Loading…</p>
      ) : notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ul aria-label="notes">
          {notes.map((note) => (
            <li key={note.id}>
              <strong>{note.title}</strong> — {note.body}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
