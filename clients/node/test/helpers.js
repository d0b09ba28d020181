'use strict';
// Shared by the tests: the daemon clients/run-tests started (environment), the
// schema check every received event goes through, and small helpers.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const Ajv2020 = require('ajv/dist/2020');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'recwatch-events.schema.json'), 'utf8'));
const SEED = path.join(ROOT, '..', 'shared', 'corpus', 'seed-pillay-kazakhstan-2012.txt');

const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
const validate = ajv.compile(SCHEMA);

/** Throws unless event follows the schema (and span start <= end, topic matches). */
function checkEvent(event, topic) {
  if (!validate(event)) {
    throw new Error(`event does not follow the schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(event)}`);
  }
  if (event.type === 'recommendation' && event.span[0] > event.span[1]) {
    throw new Error(`span ${event.span} has start > end`);
  }
  if (topic !== undefined && topic !== null) {
    const ok = ['statement', 'recommendation'].includes(event.type)
      ? new RegExp(`^${event.type}\\.[A-Z]{2}$`).test(topic) : topic === event.type;
    if (!ok) throw new Error(`topic ${topic} does not fit a ${event.type} event`);
  }
  return event;
}

const env = process.env;
const daemon = env.RECWATCH_ENDPOINTS ? {
  endpoints: env.RECWATCH_ENDPOINTS.split(/\s+/),
  endpoint: env.RECWATCH_ENDPOINTS.split(/\s+/)[0],
  replay: env.RECWATCH_REPLAY,
  incoming: env.RECWATCH_INCOMING,
  done: env.RECWATCH_DONE,
  node: env.RECWATCH_NODE,
  pid: Number(env.RECWATCH_PID),
  heartbeatS: Number(env.RECWATCH_HEARTBEAT_S || 1),
  seed: env.RECWATCH_SEED || path.basename(SEED),
  tool: env.RECWATCH_TOOL,
} : null;
const needsDaemon = daemon ? {} : { skip: 'needs a running recwatchd: run clients/run-tests' };

/** Drop a unique copy of the seed statement into the spool (temp name, then rename). */
function dropStatement(label = crypto.randomBytes(6).toString('hex')) {
  const name = `node-${label}.txt`;
  const text = Buffer.concat([fs.readFileSync(SEED), Buffer.from(`\n\n(node test copy ${label})\n`)]);
  const temporary = path.join(daemon.incoming, `.${name}.tmp`);
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, path.join(daemon.incoming, name));
  return name;
}

/** recv() events (schema-checked) until until(events) is true. */
async function collect(sub, until, timeoutS = 20) {
  const events = [];
  const deadline = Date.now() + timeoutS * 1000;
  while (!until(events)) {
    const remaining = (deadline - Date.now()) / 1000;
    if (remaining <= 0) {
      throw new Error(`timed out; got ${JSON.stringify(events.map((e) => [e.type, e.seq]))}`);
    }
    const event = await sub.recv({ timeout: remaining });
    if (event) events.push(checkEvent(event, sub.lastTopic));
  }
  return events;
}

function statementOf(events, name) {
  const statement = events.find((e) => e.type === 'statement' && e.file === name);
  const recommendations = statement
    ? events.filter((e) => e.type === 'recommendation' && e.statement === statement.id) : [];
  return { statement, recommendations };
}

function complete(name) {
  return (events) => {
    const { statement, recommendations } = statementOf(events, name);
    return Boolean(statement) && recommendations.length === statement.recommendations;
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = {
  ROOT, SCHEMA, SEED, checkEvent, daemon, needsDaemon, dropStatement, collect, statementOf,
  complete, sleep,
};
