import { useState, type FormEvent } from 'react';
import { useApi } from '../api.js';

/** Asks for an access token after the gateway answered 401. */
export function TokenDialog() {
  const { needsToken, authMessage, setToken, hasToken } = useApi();
  const [value, setValue] = useState('');
  if (!needsToken) return null;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setToken(value);
    setValue('');
  };
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form className="modal" onSubmit={submit} data-testid="token-dialog">
        <h2 id="token-title">Access token required</h2>
        <p>{hasToken ? 'The token was not accepted.' : 'This gateway requires an access token.'}</p>
        {authMessage && <p className="small muted">Gateway: {authMessage}</p>}
        <input
          type="password"
          autoFocus
          placeholder="Paste your token"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-label="Access token"
          data-testid="token-input"
        />
        <div className="modal-actions">
          <button type="submit" className="primary" disabled={value.trim().length === 0}>
            Connect
          </button>
        </div>
        <p className="small muted">The token is kept in this browser's local storage.</p>
      </form>
    </div>
  );
}
