/** What the server (or any adapter) sees of a live session: status, controls, alerts and its event stream. */

/** One message of the live stream (server-sent events: `event: type`, `data: JSON`). */
export interface LiveEvent {
  type: 'order' | 'decision' | 'online' | 'alert' | 'status' | 'activation';
  data: unknown;
  /** Position in the session's stream (increasing); a client that has seen up to n asks for what follows. */
  seq: number;
}

export interface Alert {
  id: number;
  rule: string;
  severity: 'warning' | 'critical';
  message: string;
  /** Bar date the alert is about (null for wall-clock conditions such as staleness). */
  date: string | null;
  /** ISO time it was raised. */
  raised_at: string;
  value: number | null;
  threshold: number | null;
}

export interface LiveController {
  /** Whether the session has started and is not failed. */
  ready(): boolean;
  status(): Record<string, unknown>;
  /** Pause after the bar in progress (resolves when the session is between two bars). */
  pause(): Record<string, unknown> | Promise<Record<string, unknown>>;
  resume(): Record<string, unknown>;
  alerts(): Alert[];
  /**
   * The retained stream events after `after` (sequence number), every type, in order — for a
   * subscriber that joins late or reconnects. The oldest are dropped past the session's history size.
   */
  history(after?: number): LiveEvent[];
  /** The sequence number of the newest event (0 before the first). */
  lastSeq(): number;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Record something that happened outside the session (e.g. a model activation). */
  record(type: string, payload: Record<string, unknown>): void;
  stop(): Promise<void>;
}
