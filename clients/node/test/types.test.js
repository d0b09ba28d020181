'use strict';
// The TypeScript types against the schema: events.d.ts is what gen-types.js
// makes of the current schema, and each interface has the schema's fields.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { generate, fieldsOf } = require('../scripts/gen-types');
const { SCHEMA } = require('./helpers');

const EVENTS_D_TS = fs.readFileSync(path.join(__dirname, '..', 'events.d.ts'), 'utf8');

function interfaceFields(source, name) {
  const match = source.match(new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`));
  assert.ok(match, `interface ${name} missing`);
  return Object.fromEntries([...match[1].matchAll(/^ {2}(\w+)(\??):/gm)].map((m) => [m[1], m[2] !== '?']));
}

test('events.d.ts is generated from the current schema (npm run types)', () => {
  assert.equal(EVENTS_D_TS, generate(SCHEMA));
});

for (const [definition, name] of [['statement', 'Statement'], ['recommendation', 'Recommendation'],
  ['error', 'ErrorEvent'], ['heartbeat', 'Heartbeat'], ['counters', 'Counters'], ['end', 'End']]) {
  test(`${name} has exactly the fields of the schema's ${definition}, required ones required`, () => {
    const fields = interfaceFields(EVENTS_D_TS, name);
    const schemaFields = fieldsOf(SCHEMA.$defs[definition], SCHEMA.$defs);
    assert.deepEqual(Object.keys(fields).sort(), Object.keys(schemaFields).sort());
    for (const [field, { required }] of Object.entries(schemaFields)) {
      assert.equal(fields[field], required, `${name}.${field} required=${required}`);
    }
  });
}

test('every event type of the schema has an interface', () => {
  const types = SCHEMA.oneOf.map((ref) => SCHEMA.$defs[ref.$ref.split('/').pop()].properties.type.const);
  assert.deepEqual(types.sort(), ['end', 'error', 'heartbeat', 'recommendation', 'statement']);
  assert.match(EVENTS_D_TS, /export type RecwatchEvent = Statement \| Recommendation \| ErrorEvent \| Heartbeat;/);
});

test('index.d.ts declares what index.js exports', () => {
  const indexDTs = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  for (const name of Object.keys(require('..'))) {
    assert.match(indexDTs, new RegExp(`export declare (class|function) ${name}\\b`), name);
  }
});
