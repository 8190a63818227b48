-- LOCAL DEVELOPMENT ONLY: demo rows for `npm run dev` (applied by `npm run db:seed:local`, which
-- `predev` runs after the migrations) and for the tests. Never applied to a remote database:
-- migrations/ holds the schema only, so a deploy ships no demo users.
-- `npm run token` signs a token for "alice" by default (`-- --sub bob` for Bob).
-- Fixed ids and INSERT OR IGNORE: applying it again (every `npm run dev`) adds nothing.
INSERT OR IGNORE INTO notes (id, user_id, title, body) VALUES
  (1, 'alice', 'Welcome, Alice', 'This note comes from D1, read by the User Worker with your verified user id.'),
  (2, 'alice', 'Second note', 'Only tokens whose sub is "alice" can read these two notes.'),
  (3, 'bob', 'Hello, Bob', 'Bob sees only his own notes.');
