import { type FormEvent, useState } from 'react';

/** Asks for an API key (or a JWT); it is checked with the `me` query and kept for this tab only. */
export function SignIn(props: { onSignIn(key: string): Promise<void>; failure: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim()) return;
    setBusy(true);
    await props.onSignIn(key.trim());
    setBusy(false);
  };
  return (
    <main className="signin">
      <h1>Action Plan Ledger</h1>
      <p>Coordinators, auditors and agencies: sign in with the API key (or token) you were issued.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required aria-describedby="key-hint" />
        <p id="key-hint" className="hint">
          Kept in this browser tab only (sessionStorage) and sent to this server as <code>Authorization: Bearer …</code>.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {props.failure && (
          <p role="alert" className="problem">
            {props.failure}
          </p>
        )}
      </form>
    </main>
  );
}
