// Types of the recwatch Node.js client. The event types (events.d.ts) are
// generated from schema/recwatch-events.schema.json by scripts/gen-types.js.
import { EventEmitter } from 'node:events';
import type { RecwatchEvent } from './events';

export * from './events';

export interface SubscriberOptions {
  /** Topic prefixes: "recommendation.", "statement.KZ", "error", "heartbeat". None: all. */
  topics?: string | string[];
  /** The daemon's replay socket: needed for `since` and to fill gaps (without it,
   * the endpoint a node advertises in its heartbeats is used). */
  replayEndpoint?: string;
  /** First seq wanted from the journal; then live, with no gap and no duplicate. */
  since?: number;
  /** Server's CURVE public key: Z85 string or path of a NAME.pub file. */
  serverKey?: string;
  /** Client's CURVE key pair: path of a NAME.key file, or the keys; default a fresh pair. */
  keypair?: string | { publicKey: string; secretKey: string };
  /** Seconds between heartbeats; default: learnt from them (5 until then). */
  heartbeatInterval?: number;
  /** Seconds to wait for each replay message (default 5). */
  replayTimeout?: number;
}

export interface SubscriberStats {
  received: number;
  delivered: number;
  duplicates: number;
  replayed: number;
  replays: number;
  gaps: number;
  lost: number;
}

export declare class Subscriber extends EventEmitter implements AsyncIterable<RecwatchEvent> {
  constructor(endpoint: string | string[], options?: SubscriberOptions);
  readonly endpoints: string[];
  readonly topics: string[];
  readonly stats: SubscriberStats;
  readonly closed: boolean;
  /** Topic of the event recv() returned last. */
  readonly lastTopic: string | null;
  /** Nodes whose heartbeats stopped for 3 intervals. */
  readonly silentNodes: Set<string>;
  /** The next event; null when `timeout` seconds pass or after close(). */
  recv(options?: { timeout?: number }): Promise<RecwatchEvent | null>;
  /** Iterate over events; leaving the loop closes the subscriber. */
  [Symbol.asyncIterator](): AsyncGenerator<RecwatchEvent, void, undefined>;
  close(): void;
  /** 'warning': heartbeats missing, events lost... (printed with process.emitWarning
   * when nobody listens); 'info': heartbeats resumed. */
  on(event: 'warning' | 'info', listener: (message: string) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export declare class ReplayError extends Error {}
export declare class KeyFileError extends Error {}
export declare function readPublicKey(path: string): string;
export declare function readSecretKey(path: string, options?: { checkMode?: boolean }): {
  publicKey: string;
  secretKey: string;
};
export declare function isZ85Key(text: unknown): boolean;
