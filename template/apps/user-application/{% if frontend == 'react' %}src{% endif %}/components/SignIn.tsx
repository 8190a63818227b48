import { type FormEvent, useState } from "react";

interface Props {
  checking: boolean;
  reason?: string | undefined;
  onSignIn: (token: string) => void;
}

/** Local development sign-in: paste the JWT `npm run token` prints (no endpoint mints tokens). */
export function SignIn({ checking, reason, onSignIn }: Props) {
  const [token, setToken] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    if (token.trim()) onSignIn(token.trim());
  }

  return (
    <section aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p>
        You are signed out. Run <code>npm run token</code> (or <code>npm run token -- --sub bob</code>) and paste
        the JWT. It stays in this tab's session storage.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">Token</label>
        <textarea
          id="token"
          rows={3}
          placeholder="eyJhbGciOi..."
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <div className="row">
          <button type="submit" disabled={checking}>
            {checking ? "Checking…" : "Sign in"}
          </button>
        </div>
      </form>
      {reason ? (
        <p role="alert" className="error">
          {reason}
        </p>
      ) : null}
    </section>
  );
}
