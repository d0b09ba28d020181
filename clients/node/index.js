'use strict';
// recwatch — subscribe to recwatchd's events (ZeroMQ, zeromq v6) as an async iterator.
//
//   const { Subscriber } = require('recwatch');
//   const sub = new Subscriber('tcp://127.0.0.1:5560', { topics: ['recommendation.KZ'] });
//   for await (const event of sub) console.log(event.text);
//
// On top of a SUB socket: `since` replays the journal first, then goes live with
// no gap and no duplicate (Clone pattern: subscribe, replay, then live); a gap in
// a node's seq is filled from the replay socket (with topic filters, skipped seqs
// are normal and the replay tells which we wanted); each (node, seq) is yielded
// once, even from two forwarders; heartbeats are always listened to, and their
// absence for 3 intervals is a 'warning' event. ZeroMQ reconnects by itself.
//
// Replay protocol (the daemon's ROUTER): send one frame "SINCE <n>"; receive
// (topic, body) pairs, then topic "end" with {"type":"end","last_seq":M}.

const { EventEmitter } = require('node:events');
const zmq = require('zeromq');
const keys = require('./keys');

const DEFAULT_HEARTBEAT_S = 5; // publish.heartbeat_s's default in recwatchd
const MISSED_HEARTBEATS = 3;
const POLL_SLICE_MS = 250;

class ReplayError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ReplayError';
  }
}

function asList(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function matches(topic, prefixes) {
  return prefixes.length === 0 || prefixes.some((prefix) => topic.startsWith(prefix));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function serverKeyFrom(value) {
  if (keys.isZ85Key(value)) return value;
  return keys.readPublicKey(value);
}

function keypairFrom(value) {
  if (value === undefined || value === null) return zmq.curveKeyPair();
  if (typeof value === 'string') return keys.readSecretKey(value);
  if (!keys.isZ85Key(value.publicKey) || !keys.isZ85Key(value.secretKey)) {
    throw new keys.KeyFileError('keypair: expected {publicKey, secretKey}, 40-character Z85 keys');
  }
  return value;
}

function decode(frames, warn) {
  if (frames.length !== 2) {
    warn(`ignoring a message of ${frames.length} frames (expected topic and body)`);
    return null;
  }
  let body;
  try {
    body = JSON.parse(frames[1].toString('utf8'));
  } catch (error) {
    warn(`ignoring a message that is not JSON: ${error.message}`);
    return null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    warn('ignoring a message whose body is not a JSON object');
    return null;
  }
  return { topic: frames[0].toString('utf8'), body };
}

function isTimeout(error) {
  return error && error.code === 'EAGAIN';
}

class Subscriber extends EventEmitter {
  /**
   * @param {string|string[]} endpoint  one endpoint or several (duplicates are dropped)
   * @param {object} [options] topics, replayEndpoint, since, serverKey, keypair,
   *   heartbeatInterval (s), replayTimeout (s); see index.d.ts
   */
  constructor(endpoint, options = {}) {
    super();
    this.endpoints = asList(endpoint);
    if (this.endpoints.length === 0) throw new TypeError('Subscriber needs at least one endpoint');
    this.topics = asList(options.topics);
    if (this.topics.includes('')) this.topics = [];
    this.replayEndpoint = options.replayEndpoint || null;
    this.since = options.since ?? null;
    if (this.since !== null && !(Number.isInteger(this.since) && this.since >= 0)) {
      throw new TypeError('since must be an integer >= 0');
    }
    if (this.since !== null && !this.replayEndpoint) throw new TypeError('since needs a replayEndpoint');
    this.heartbeatInterval = options.heartbeatInterval || null;
    this.replayTimeout = options.replayTimeout ?? 5;
    this._curve = null;
    if (options.serverKey) {
      const pair = keypairFrom(options.keypair);
      this._curve = {
        curveServerKey: serverKeyFrom(options.serverKey),
        curvePublicKey: pair.publicKey,
        curveSecretKey: pair.secretKey,
      };
    }

    this._socket = new zmq.Subscriber({
      linger: 0, reconnectInterval: 100, reconnectMaxInterval: 5000,
      receiveTimeout: POLL_SLICE_MS, ...(this._curve || {}),
    });
    this._socket.subscribe(...(this.topics.length ? this.topics : ['']));
    if (this.topics.length && !matches('heartbeat', this.topics)) this._socket.subscribe('heartbeat');
    for (const address of this.endpoints) this._socket.connect(address);

    this._high = new Map();        // node -> highest seq accounted for
    this._pending = [];            // [{topic, body}] ready to be yielded
    this._startup = this.since !== null;
    this._floor = null;            // last_seq of a replay that named no node
    this._advertised = new Map();  // node -> replay endpoint from its heartbeats
    this._beats = new Map();       // node -> time (ms) of its last heartbeat
    this._intervals = new Map();   // node -> recent intervals between heartbeats (s)
    this._uptimes = new Map();
    this._silent = new Set();
    this._recent = [];             // keys of recent unsequenced events (heartbeats)
    this._recentKeys = new Set();
    this._started = Date.now();
    this._neverWarned = true;
    this.stats = { received: 0, delivered: 0, duplicates: 0, replayed: 0, replays: 0, gaps: 0, lost: 0 };
    this.closed = false;
    this.lastTopic = null;
  }

  /** Iterate over events; breaking out of the loop closes the subscriber. */
  async *[Symbol.asyncIterator]() {
    try {
      for (;;) {
        const event = await this.recv();
        if (event === null) return;
        yield event;
      }
    } finally {
      this.close();
    }
  }

  /** The next event, or null when timeout (seconds) passes or the subscriber is closed. */
  async recv({ timeout } = {}) {
    const deadline = timeout === undefined || timeout === null ? null : Date.now() + timeout * 1000;
    if (this._startup) {
      this._startup = false;
      await this._initialReplay();
    }
    while (!this.closed) {
      if (this._pending.length) {
        const { topic, body } = this._pending.shift();
        this.stats.delivered += 1;
        this.lastTopic = topic;
        return body;
      }
      if (deadline !== null && Date.now() >= deadline) return null;
      let frames = null;
      try {
        frames = await this._socket.receive();
      } catch (error) {
        if (this.closed) return null;
        if (!isTimeout(error)) throw error;
      }
      if (frames) await this._onLive(frames);
      this._checkHeartbeats();
    }
    return null;
  }

  /** Nodes whose heartbeats stopped for 3 intervals. */
  get silentNodes() {
    return new Set(this._silent);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this._socket.close();
  }

  _warn(message) {
    // Emitted as 'warning'; printed to stderr when nobody listens.
    if (this.listenerCount('warning')) this.emit('warning', message);
    else process.emitWarning(message, 'RecwatchWarning');
  }

  _info(message) {
    this.emit('info', message);
  }

  _wanted(topic, body) {
    if (body.type === 'heartbeat') return matches('heartbeat', this.topics);
    return matches(topic, this.topics);
  }

  /** [{topic, body}] of the journal from since, up to and with the end marker. */
  async _replay(endpoint, since) {
    const dealer = new zmq.Dealer({
      linger: 0, receiveTimeout: Math.round(this.replayTimeout * 1000), ...(this._curve || {}),
    });
    const messages = [];
    try {
      dealer.connect(endpoint);
      await dealer.send(`SINCE ${since}`);
      for (;;) {
        let frames;
        try {
          frames = await dealer.receive();
        } catch (error) {
          if (isTimeout(error)) {
            throw new ReplayError(`${endpoint}: no answer to SINCE ${since} in ${this.replayTimeout} s`);
          }
          throw error;
        }
        const message = decode(frames, (m) => this._warn(m));
        if (!message) continue;
        if (message.topic === 'end') {
          this.stats.replays += 1;
          messages.push(message);
          return messages;
        }
        if (message.topic === 'error' && message.body.seq === undefined) {
          throw new ReplayError(`${endpoint}: refused SINCE ${since}: ${message.body.reason}`);
        }
        messages.push(message);
      }
    } finally {
      dealer.close();
    }
  }

  async _initialReplay() {
    let node = null;
    let lastSeq = 0;
    for (const { topic, body } of await this._replay(this.replayEndpoint, this.since)) {
      if (topic === 'end') {
        lastSeq = body.last_seq || 0;
        break;
      }
      if (!Number.isInteger(body.seq)) continue;
      node = body.node;
      this._high.set(node, Math.max(this._high.get(node) || 0, body.seq));
      this.stats.replayed += 1;
      if (this._wanted(topic, body)) this._pending.push({ topic, body });
    }
    if (node !== null) this._high.set(node, Math.max(this._high.get(node), lastSeq));
    else this._floor = Math.max(lastSeq, this.since - 1);
  }

  async _onLive(frames) {
    const message = decode(frames, (m) => this._warn(m));
    if (!message) return;
    const { topic, body } = message;
    this.stats.received += 1;
    if (body.type === 'heartbeat' || body.transient || !Number.isInteger(body.seq)) {
      await this._onUnsequenced(topic, body);
      return;
    }
    const { node, seq } = body;
    let high = this._high.get(node);
    if (high === undefined) high = this._firstHigh(node, seq);
    if (seq <= high) {
      this.stats.duplicates += 1;
      return;
    }
    if (seq > high + 1) {
      await this._fill(node, high, { seq, topic, body });
      return;
    }
    this._high.set(node, seq);
    if (this._wanted(topic, body)) this._pending.push({ topic, body });
  }

  // Heartbeats and transient errors are not journalled: their seq is the node's
  // last journalled one, so they are told apart by their content.
  async _onUnsequenced(topic, body) {
    const key = JSON.stringify([body.node, body.type, body.seq, body.uptime_s, body.time, body.reason]);
    if (this._recentKeys.has(key)) {
      this.stats.duplicates += 1;
      return;
    }
    this._recent.push(key);
    this._recentKeys.add(key);
    if (this._recent.length > 256) this._recentKeys.delete(this._recent.shift());
    if (this._wanted(topic, body)) this._pending.push({ topic, body });
    if (body.type !== 'heartbeat') return;
    this._onHeartbeat(body);
    if (!Number.isInteger(body.last_seq)) return;
    let high = this._high.get(body.node);
    if (high === undefined) high = this._firstHigh(body.node, body.last_seq + 1);
    if (body.last_seq > high) await this._fill(body.node, high, null, body.last_seq);
  }

  _firstHigh(node, seq) {
    if (this._floor !== null) {
      const floor = this._floor;
      this._floor = null;
      if (seq <= floor || seq > floor + 1) {
        this._high.set(node, floor);
        return floor;
      }
    }
    this._high.set(node, seq - 1);
    return seq - 1;
  }

  _replayEndpointFor(node) {
    if (this.replayEndpoint) return this.replayEndpoint;
    const advertised = this._advertised.get(node);
    if (advertised && !advertised.includes('*') && !advertised.includes('0.0.0.0')) return advertised;
    return null;
  }

  // Events high+1 .. (live.seq - 1 | upto) of node were not seen: fetch them
  // from the replay socket; queue the wanted ones with the live event, in order.
  async _fill(node, high, live, upto) {
    const endpoint = this._replayEndpointFor(node);
    const batch = new Map();
    let replayLast = high;
    if (endpoint) {
      try {
        for (const { topic, body } of await this._replay(endpoint, high + 1)) {
          if (topic === 'end') {
            replayLast = Math.max(replayLast, body.last_seq || 0);
            break;
          }
          if (body.node !== node || !Number.isInteger(body.seq) || body.seq <= high) continue;
          if (this._wanted(topic, body)) batch.set(body.seq, { topic, body });
          replayLast = Math.max(replayLast, body.seq);
          this.stats.replayed += 1;
        }
      } catch (error) {
        if (this.closed) return;
        this._warn(`node ${node}: cannot fill the gap after seq ${high}: ${error.message}`);
      }
    }
    if (live) {
      if (this._wanted(live.topic, live.body)) batch.set(live.seq, { topic: live.topic, body: live.body });
      replayLast = Math.max(replayLast, live.seq);
    }
    const wantedUpto = live ? live.seq - 1 : upto;
    if (replayLast < wantedUpto) {
      if (this.topics.length === 0) {
        this._warn(`node ${node}: lost events ${replayLast + 1}..${wantedUpto}` +
                   (endpoint ? '' : ' (no replay endpoint to fetch them from)'));
      }
      this.stats.lost += wantedUpto - replayLast;
      replayLast = live ? Math.max(replayLast, live.seq) : wantedUpto;
    }
    this.stats.gaps += 1;
    for (const seq of [...batch.keys()].sort((a, b) => a - b)) this._pending.push(batch.get(seq));
    this._high.set(node, Math.max(this._high.get(node) || 0, replayLast));
  }

  _onHeartbeat(body) {
    const { node } = body;
    const now = Date.now();
    const previous = this._beats.get(node);
    if (previous !== undefined) {
      const intervals = this._intervals.get(node) || [];
      intervals.push((now - previous) / 1000);
      if (intervals.length > 5) intervals.shift();
      this._intervals.set(node, intervals);
    }
    this._beats.set(node, now);
    if (this._silent.has(node)) {
      this._silent.delete(node);
      this._info(`node ${node}: heartbeats resumed after ${((now - previous) / 1000).toFixed(1)} s`);
    }
    if (typeof body.replay === 'string' && body.replay) this._advertised.set(node, body.replay);
    // A node that restarted (uptime went down) with a last seq below ours lost
    // its journal: follow its new sequence instead of dropping it all.
    const high = this._high.get(node);
    const previousUptime = this._uptimes.get(node);
    if (typeof body.uptime_s === 'number') this._uptimes.set(node, body.uptime_s);
    if (Number.isInteger(body.last_seq) && high !== undefined && body.last_seq < high &&
        previousUptime !== undefined && body.uptime_s < previousUptime) {
      this._warn(`node ${node}: restarted and its seq went back from ${high} to ${body.last_seq} ` +
                 '(journal reset?); following the new sequence');
      this._high.set(node, body.last_seq);
    }
  }

  _interval(node) {
    if (this.heartbeatInterval) return this.heartbeatInterval;
    const intervals = this._intervals.get(node);
    return intervals && intervals.length ? median(intervals) : DEFAULT_HEARTBEAT_S;
  }

  _checkHeartbeats() {
    const now = Date.now();
    if (this._beats.size === 0) {
      const limit = MISSED_HEARTBEATS * (this.heartbeatInterval || DEFAULT_HEARTBEAT_S) * 1000;
      if (this._neverWarned && now - this._started > limit) {
        this._neverWarned = false;
        this._warn(`no heartbeat from ${this.endpoints.join(', ')} in ${Math.round((now - this._started) / 1000)} s: ` +
                   'is recwatchd running there (and are the endpoint and CURVE keys right)?');
      }
      return;
    }
    for (const [node, last] of this._beats) {
      const silence = (now - last) / 1000;
      if (!this._silent.has(node) && silence > MISSED_HEARTBEATS * this._interval(node)) {
        this._silent.add(node);
        this._warn(`node ${node}: no heartbeat for ${silence.toFixed(1)} s (${MISSED_HEARTBEATS} intervals); ` +
                   'still waiting, ZeroMQ reconnects by itself');
      }
    }
  }
}

const { KeyFileError, readPublicKey, readSecretKey, isZ85Key } = keys;

// Plain names, so that ESM `import { Subscriber } from 'recwatch'` finds them too.
module.exports = {
  Subscriber, ReplayError, KeyFileError, readPublicKey, readSecretKey, isZ85Key,
};
