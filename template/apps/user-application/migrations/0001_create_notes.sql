-- Notes owned by a user id (the JWT `sub`), read by GET /api/notes.
CREATE TABLE IF NOT EXISTS notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX IF NOT EXISTS notes_user_id ON notes (user_id);

-- Demo rows: `npm run token` signs a token for "alice" by default (`-- --sub bob` for Bob).
INSERT INTO notes (user_id, title, body) VALUES
  ('alice', 'Welcome, Alice', 'This note comes from D1, read by the User Worker with your verified user id.'),
  ('alice', 'Second note', 'Only tokens whose sub is "alice" can read these two notes.'),
  ('bob', 'Hello, Bob', 'Bob sees only his own notes.');
