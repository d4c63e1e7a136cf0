export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

/** A small coloured pill: connected, disconnected, reconnecting, ... */
export function StatusBadge({ tone, children, testId }: { tone: Tone; children: string; testId?: string }) {
  return (
    <span className={`badge badge-${tone}`} data-testid={testId}>
      <span className="dot" />
      {children}
    </span>
  );
}
