'use strict';
// The Subscriber against a real recwatchd (started by clients/run-tests).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zmq = require('zeromq');
const { Subscriber, ReplayError } = require('..');
const {
  daemon, needsDaemon, dropStatement, collect, statementOf, complete, checkEvent, sleep,
} = require('./helpers');

const journalled = (events) => events.filter((e) => ['statement', 'recommendation', 'error'].includes(e.type) && !e.transient);

function assertPublishedTogether(events, name) {
  const { statement, recommendations } = statementOf(events, name);
  assert.ok(statement, `no statement for ${name}`);
  assert.equal(recommendations.length, statement.recommendations);
  assert.deepEqual(recommendations.map((r) => r.index), [...recommendations.keys()]);
  assert.deepEqual(recommendations.map((r) => r.seq), recommendations.map((_, i) => statement.seq + 1 + i));
  return { statement, recommendations };
}

async function rawReplay(since = 1) {
  const dealer = new zmq.Dealer({ linger: 0, receiveTimeout: 5000 });
  dealer.connect(daemon.replay);
  await dealer.send(`SINCE ${since}`);
  const messages = [];
  for (;;) {
    const [topic, body] = await dealer.receive();
    messages.push({ topic: topic.toString(), body: JSON.parse(body.toString()) });
    if (topic.toString() === 'end') break;
  }
  dealer.close();
  return messages;
}

async function untilHeartbeat(sub) {
  return collect(sub, (evs) => evs.some((e) => e.type === 'heartbeat'), 5 * daemon.heartbeatS + 5);
}

test('a live statement arrives whole, in order and valid', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoint);
  try {
    await untilHeartbeat(sub);
    const name = dropStatement();
    const events = await collect(sub, complete(name));
    const { statement } = assertPublishedTogether(events, name);
    assert.equal(statement.node, daemon.node);
    assert.equal(statement.countries[0], 'KZ');
  } finally {
    sub.close();
  }
});

test('since replays the journal, then live: no gap, no duplicate', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoint, { replayEndpoint: daemon.replay, since: 1 });
  try {
    const seed = await collect(sub, complete(daemon.seed));
    assertPublishedTogether(seed, daemon.seed);
    const name = dropStatement();
    const events = seed.concat(await collect(sub, complete(name)));
    assertPublishedTogether(events, name);
    const seqs = journalled(events).map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    assert.ok(sub.stats.replayed >= journalled(seed).length);
  } finally {
    sub.close();
  }
});

test('for await over the subscriber; leaving the loop closes it', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoint, { replayEndpoint: daemon.replay, since: 1, topics: 'statement.' });
  const seen = [];
  for await (const event of sub) {
    seen.push(checkEvent(event, sub.lastTopic));
    if (seen.length === 1) break;
  }
  assert.equal(seen[0].type, 'statement');
  assert.equal(seen[0].file, daemon.seed);
  assert.equal(sub.closed, true);
  assert.equal(await sub.recv({ timeout: 0.1 }), null);
});

test('a topic filter with gaps yields exactly the matching events', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoint, {
    topics: ['recommendation.KZ'], replayEndpoint: daemon.replay, since: 1,
  });
  try {
    const early = await collect(sub, (evs) => evs.length >= 1);
    const name = dropStatement();
    for (let i = 0; i < 300 && !fs.existsSync(path.join(daemon.done, name)); i++) await sleep(100);
    const expected = (await rawReplay()).filter((m) => m.topic.startsWith('recommendation.KZ')).map((m) => m.body.seq);
    const events = early.concat(await collect(sub, (evs) => evs.length >= expected.length - 1));
    assert.equal(await sub.recv({ timeout: 2 * daemon.heartbeatS }), null, 'more events than expected');
    assert.deepEqual(events.map((e) => e.seq), expected);
    assert.ok(sub.stats.gaps >= 1);
  } finally {
    sub.close();
  }
});

test('two publish endpoints: each event once', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoints);
  try {
    await untilHeartbeat(sub);
    const name = dropStatement();
    const events = await collect(sub, complete(name));
    events.push(...await collect(sub, (evs) => evs.filter((e) => e.type === 'heartbeat').length >= 2, 5 * daemon.heartbeatS + 5));
    const keys = journalled(events).map((e) => `${e.node}/${e.seq}`);
    assert.equal(new Set(keys).size, keys.length);
    const beats = events.filter((e) => e.type === 'heartbeat').map((e) => `${e.node}/${e.uptime_s}`);
    assert.equal(new Set(beats).size, beats.length);
    assert.ok(sub.stats.duplicates > 0, 'the second endpoint delivered nothing');
    assertPublishedTogether(events, name);
  } finally {
    sub.close();
  }
});

test('a lost event is fetched from the replay socket', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoint, { replayEndpoint: daemon.replay });
  const lost = [];
  let loseFile = null;
  const original = sub._onLive.bind(sub);
  sub._onLive = async (frames) => { // lose one statement, as a network would
    const body = JSON.parse(frames[1].toString());
    if (body.type === 'statement' && body.file === loseFile) {
      lost.push(body.seq);
      return;
    }
    await original(frames);
  };
  try {
    await untilHeartbeat(sub);
    loseFile = `node-lossy-${process.pid}.txt`;
    dropStatement(`lossy-${process.pid}`);
    const events = await collect(sub, complete(loseFile));
    assert.equal(lost.length, 1, 'nothing was lost: the test tested nothing');
    const { statement } = assertPublishedTogether(events, loseFile);
    assert.equal(statement.seq, lost[0]);
    assert.ok(sub.stats.gaps >= 1);
  } finally {
    sub.close();
  }
});

test('missing heartbeats are a warning, their return an info', needsDaemon, async () => {
  const sub = new Subscriber(daemon.endpoint, { topics: 'heartbeat' });
  const warnings = [];
  const infos = [];
  sub.on('warning', (m) => warnings.push(m));
  sub.on('info', (m) => infos.push(m));
  try {
    await collect(sub, (evs) => evs.length >= 3, 10 * daemon.heartbeatS + 5);
    process.kill(daemon.pid, 'SIGSTOP');
    try {
      const deadline = Date.now() + (4 * daemon.heartbeatS + 1) * 1000;
      while (Date.now() < deadline && !sub.silentNodes.has(daemon.node)) await sub.recv({ timeout: 0.3 });
      assert.ok(sub.silentNodes.has(daemon.node), 'not reported silent');
    } finally {
      process.kill(daemon.pid, 'SIGCONT');
    }
    await collect(sub, (evs) => evs.length >= 1, 5 * daemon.heartbeatS + 5);
    assert.equal(sub.silentNodes.size, 0);
    assert.ok(warnings.some((m) => m.includes('no heartbeat for') && m.includes(daemon.node)), warnings.join('\n'));
    assert.ok(infos.some((m) => m.includes('resumed')), infos.join('\n'));
  } finally {
    sub.close();
  }
});

test('the replay socket refuses a malformed request; SINCE past the end gives only end', needsDaemon, async () => {
  const dealer = new zmq.Dealer({ linger: 0, receiveTimeout: 5000 });
  dealer.connect(daemon.replay);
  await dealer.send('GIVE ME EVERYTHING');
  const [topic] = await dealer.receive();
  dealer.close();
  assert.equal(topic.toString(), 'error');
  const all = await rawReplay(1);
  const end = all[all.length - 1];
  assert.equal(end.topic, 'end');
  checkEvent(end.body);
  assert.equal(end.body.last_seq, all[all.length - 2].body.seq);
  all.slice(0, -1).forEach((m) => checkEvent(m.body, m.topic));
  const after = await rawReplay(end.body.last_seq + 1);
  assert.deepEqual(after.map((m) => m.topic), ['end']);
});

test('no daemon: a warning, and an unanswered replay is a ReplayError, not a hang', async () => {
  const probe = new zmq.Reply();
  await probe.bind('tcp://127.0.0.1:*');
  const endpoint = probe.lastEndpoint;
  probe.close();
  const sub = new Subscriber(endpoint, { heartbeatInterval: 0.2 });
  const warnings = [];
  sub.on('warning', (m) => warnings.push(m));
  assert.equal(await sub.recv({ timeout: 1 }), null);
  sub.close();
  assert.ok(warnings.some((m) => m.includes('no heartbeat from')), warnings.join('\n'));
  const replaying = new Subscriber(endpoint, { replayEndpoint: endpoint, since: 1, replayTimeout: 0.5 });
  await assert.rejects(replaying.recv({ timeout: 2 }), ReplayError);
  replaying.close();
  assert.throws(() => new Subscriber(endpoint, { since: 3 }), /replayEndpoint/);
});

const curve = process.env.RECWATCH_CURVE_ENDPOINT ? {
  endpoint: process.env.RECWATCH_CURVE_ENDPOINT,
  replay: process.env.RECWATCH_CURVE_REPLAY,
  serverKey: process.env.RECWATCH_CURVE_SERVER_KEY,
  clientKey: process.env.RECWATCH_CURVE_CLIENT_KEY,
  strangerKey: process.env.RECWATCH_CURVE_STRANGER_KEY,
} : null;

test('CURVE: key files let an authorized client in, and only it', curve ? {} : { skip: 'needs the CURVE recwatchd of clients/run-tests' }, async () => {
  const sub = new Subscriber(curve.endpoint, {
    topics: 'heartbeat', replayEndpoint: curve.replay, since: 1,
    serverKey: curve.serverKey, keypair: curve.clientKey,
  });
  try {
    const [heartbeat] = await collect(sub, (evs) => evs.length >= 1, 10);
    assert.equal(heartbeat.node, 'curve-test');
    assert.equal(sub.stats.replays, 1);
  } finally {
    sub.close();
  }
  const stranger = new Subscriber(curve.endpoint, { serverKey: curve.serverKey, keypair: curve.strangerKey });
  stranger.on('warning', () => {});
  assert.equal(await stranger.recv({ timeout: 2 }), null);
  stranger.close();
  const plain = new Subscriber(curve.endpoint);
  assert.equal(await plain.recv({ timeout: 1 }), null);
  plain.close();
});
