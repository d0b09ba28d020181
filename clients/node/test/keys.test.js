'use strict';
// Key files in the daemon's format (daemon/keys.c), and recwatch keygen's output.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const zmq = require('zeromq');
const { readPublicKey, readSecretKey, isZ85Key, KeyFileError } = require('..');
const { curvePublic, z85Encode, z85Decode } = require('../keys');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recwatch-node-keys-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name, text, mode = 0o600) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

test('Z85 round trip and the public key derived as libzmq derives it', () => {
  for (let i = 0; i < 5; i++) {
    const { publicKey, secretKey } = zmq.curveKeyPair();
    assert.ok(isZ85Key(publicKey) && isZ85Key(secretKey));
    assert.equal(z85Encode(z85Decode(secretKey)), secretKey);
    assert.equal(curvePublic(secretKey), publicKey);
  }
  assert.equal(isZ85Key('#####'.repeat(8)), false);
  assert.equal(isZ85Key('abc'), false);
});

test('reads key files in the daemon format', () => {
  const { publicKey, secretKey } = zmq.curveKeyPair();
  const keyFile = write('client.key', `# recwatch CURVE key pair "client": keep this file secret (mode 0600)\npublic-key = ${publicKey}\nsecret-key = ${secretKey}\n`);
  const pubFile = write('client.pub', `${publicKey}\n`, 0o644);
  assert.deepEqual(readSecretKey(keyFile), { publicKey, secretKey });
  assert.equal(readPublicKey(pubFile), publicKey);
  const czmq = write('czmq.key', `secret-key: "${secretKey}"\n`);
  assert.deepEqual(readSecretKey(czmq), { publicKey, secretKey });
});

test('refuses bad key files with a reason', () => {
  const { publicKey, secretKey } = zmq.curveKeyPair();
  const other = zmq.curveKeyPair().publicKey;
  const cases = [
    ['open.key', `secret-key = ${secretKey}\n`, 0o644, /lets others read/],
    ['writable.key', `secret-key = ${secretKey}\n`, 0o620, /lets others replace/],
    ['mismatch.key', `public-key = ${other}\nsecret-key = ${secretKey}\n`, 0o600, /does not match/],
    ['short.key', `secret-key = ${secretKey.slice(2)}\n`, 0o600, /:1: not a valid/],
    ['none.key', `public-key = ${publicKey}\n`, 0o600, /no "secret-key/],
  ];
  for (const [name, text, mode, reason] of cases) {
    assert.throws(() => readSecretKey(write(name, text, mode)), (e) => e instanceof KeyFileError && reason.test(e.message), name);
  }
  assert.throws(() => readPublicKey(write('empty.pub', '# none\n', 0o644)), /empty/);
  assert.throws(() => readPublicKey(write('bad.pub', '\nhello\n', 0o644)), /:2: not a CURVE public key/);
  assert.throws(() => readPublicKey(path.join(dir, 'missing.pub')), /No such file/);
});

const tool = process.env.RECWATCH_TOOL;
test('reads what recwatch keygen writes', tool && fs.existsSync(tool) ? {} : { skip: 'needs build/recwatch (run clients/run-tests)' }, () => {
  const out = fs.mkdtempSync(path.join(dir, 'keygen-'));
  execFileSync(tool, ['keygen', '-d', out, 'node-client']);
  const { publicKey, secretKey } = readSecretKey(path.join(out, 'node-client.key'));
  assert.equal(readPublicKey(path.join(out, 'node-client.pub')), publicKey);
  assert.equal(curvePublic(secretKey), publicKey);
});
