'use strict';
// keys.js — CURVE key files, read the way recwatchd reads them (daemon/keys.c).
//
//   NAME.pub  one line: the public key in Z85 (40 characters)
//   NAME.key  mode 0600: "public-key = <Z85>" and "secret-key = <Z85>" lines
//
// '#' comments and blank lines are allowed, and "label: value" with the value in
// double quotes (CZMQ certificates). The public key is derived from the secret
// one with Node's X25519 (the same Curve25519 as CurveZMQ) and checked.

const crypto = require('node:crypto');
const fs = require('node:fs');

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

class KeyFileError extends Error {
  constructor(message) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** 32 bytes from a 40-character Z85 key, or null when it is not one. */
function z85Decode(text) {
  if (typeof text !== 'string' || text.length !== 40) return null;
  const bytes = Buffer.alloc(32);
  for (let group = 0; group < 8; group++) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const digit = Z85.indexOf(text[group * 5 + i]);
      if (digit < 0) return null;
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) return null;
    bytes.writeUInt32BE(value, group * 4);
  }
  return bytes;
}

function z85Encode(bytes) {
  let text = '';
  for (let offset = 0; offset < bytes.length; offset += 4) {
    let value = bytes.readUInt32BE(offset);
    let group = '';
    for (let i = 0; i < 5; i++) {
      group = Z85[value % 85] + group;
      value = Math.floor(value / 85);
    }
    text += group;
  }
  return text;
}

function isZ85Key(text) {
  return z85Decode(text) !== null;
}

/** The Z85 public key of a Z85 secret key (Curve25519 scalar multiplication). */
function curvePublic(secretZ85) {
  const secret = z85Decode(secretZ85);
  if (!secret) throw new KeyFileError('not a 40-character Z85 secret key');
  // PKCS#8 wrapping of a raw X25519 private key (RFC 8410).
  const prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([prefix, secret]), format: 'der', type: 'pkcs8',
  });
  const spki = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return z85Encode(spki.subarray(spki.length - 32));
}

function labelledValue(line, label) {
  if (!line.startsWith(label)) return null;
  const rest = line.slice(label.length).replace(/^[ \t]+/, '');
  if (!rest || (rest[0] !== '=' && rest[0] !== ':')) return null;
  let value = rest.slice(1).trim();
  if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') {
    value = value.slice(1, -1);
  }
  return value;
}

function readLines(path) {
  try {
    return fs.readFileSync(path, 'utf8').split(/\r?\n/);
  } catch (error) {
    throw new KeyFileError(`${path}: ${error.code === 'ENOENT' ? 'No such file or directory' : error.message}`);
  }
}

/** The public key (Z85) of a .pub file: its first line that is a valid key. */
function readPublicKey(path) {
  let firstBad = 0;
  const lines = readLines(path);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const value = labelledValue(line, 'public-key');
    if (value !== null) line = value;
    if (isZ85Key(line)) return line;
    if (!firstBad) firstBad = i + 1;
  }
  if (firstBad) {
    throw new KeyFileError(`${path}:${firstBad}: not a CURVE public key (expected 40 Z85 characters on one line)`);
  }
  throw new KeyFileError(`${path}: no CURVE public key in the file (it is empty)`);
}

/** {publicKey, secretKey} (Z85) from a .key file; refuses one others can read or write. */
function readSecretKey(path, { checkMode = true } = {}) {
  if (checkMode) {
    let mode;
    try {
      mode = fs.statSync(path).mode & 0o7777;
    } catch (error) {
      throw new KeyFileError(`${path}: ${error.code === 'ENOENT' ? 'No such file or directory' : error.message}`);
    }
    const octal = mode.toString(8).padStart(4, '0');
    if (mode & 0o044) throw new KeyFileError(`${path}: mode ${octal} lets others read the secret key; chmod 600 it`);
    if (mode & 0o022) throw new KeyFileError(`${path}: mode ${octal} lets others replace the secret key; chmod 600 it`);
  }
  let publicKey = null;
  let secretKey = null;
  const lines = readLines(path);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    for (const label of ['secret-key', 'public-key']) {
      const value = labelledValue(line, label);
      if (value === null) continue;
      if (!isZ85Key(value)) throw new KeyFileError(`${path}:${i + 1}: not a valid 40-character Z85 key`);
      if (label === 'secret-key') secretKey = value;
      else publicKey = value;
      break;
    }
  }
  if (!secretKey) throw new KeyFileError(`${path}: no "secret-key = ..." line`);
  const derived = curvePublic(secretKey);
  if (publicKey && publicKey !== derived) {
    throw new KeyFileError(`${path}: the public-key line does not match the secret key`);
  }
  return { publicKey: derived, secretKey };
}

module.exports = {
  KeyFileError, isZ85Key, z85Decode, z85Encode, curvePublic, readPublicKey, readSecretKey,
};
