"""CURVE key files, read the way recwatchd reads them (daemon/keys.c).

    NAME.pub   one line: the public key in Z85 (40 characters)
    NAME.key   mode 0600:
                   # recwatch CURVE key pair "NAME": keep this file secret
                   public-key = <Z85>
                   secret-key = <Z85>

'#' comments and blank lines are allowed; "label: value" and a value in double
quotes (CZMQ certificate style) are accepted too. `recwatch keygen` writes them.
"""

import os
import stat

import zmq

Z85_ALPHABET = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                ".-:+=^!/*?&<>()[]{}@%$#")
_Z85_VALUES = {c: i for i, c in enumerate(Z85_ALPHABET)}


class KeyFileError(ValueError):
    """A key file is missing, unreadable, malformed or too open."""


def is_z85_key(text):
    """True when text is exactly a 40-character Z85 string (a 32-byte key)."""
    if not isinstance(text, str) or len(text) != 40:
        return False
    for group in range(0, 40, 5):
        value = 0
        for char in text[group:group + 5]:
            if char not in _Z85_VALUES:
                return False
            value = value * 85 + _Z85_VALUES[char]
        if value > 0xFFFFFFFF:
            return False
    return True


def _labelled_value(line, label):
    """'LABEL = VALUE' or 'LABEL: VALUE' (VALUE maybe in double quotes) -> VALUE, else None."""
    if not line.startswith(label):
        return None
    rest = line[len(label):].lstrip(" \t")
    if not rest or rest[0] not in "=:":
        return None
    value = rest[1:].strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1]
    return value


def _lines(path):
    try:
        with open(path, "r", encoding="utf-8") as file:
            return file.read(65537).splitlines()
    except OSError as error:
        raise KeyFileError(f"{path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise KeyFileError(f"{path}: not a text file") from error


def read_public_key(path):
    """The public key (Z85 str) of a .pub file: its first line that is a valid key."""
    first_bad = None
    for number, raw in enumerate(_lines(path), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        value = _labelled_value(line, "public-key")
        if value is not None:
            line = value
        if is_z85_key(line):
            return line
        if first_bad is None:
            first_bad = number
    if first_bad is not None:
        raise KeyFileError(f"{path}:{first_bad}: not a CURVE public key "
                           "(expected 40 Z85 characters on one line)")
    raise KeyFileError(f"{path}: no CURVE public key in the file (it is empty)")


def read_secret_key(path, check_mode=True):
    """(public, secret) Z85 strings from a .key file.

    Like ssh (and recwatchd), refuses a file that others can read or write,
    unless check_mode is False. The public key is derived from the secret one and
    must match the public-key line when there is one."""
    if check_mode:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError as error:
            raise KeyFileError(f"{path}: {error.strerror}") from error
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            raise KeyFileError(f"{path}: mode {mode:04o} lets others read the secret key; "
                               "chmod 600 it")
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise KeyFileError(f"{path}: mode {mode:04o} lets others replace the secret key; "
                               "chmod 600 it")
    public = secret = None
    for number, raw in enumerate(_lines(path), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for label in ("secret-key", "public-key"):
            value = _labelled_value(line, label)
            if value is None:
                continue
            if not is_z85_key(value):
                raise KeyFileError(f"{path}:{number}: not a valid 40-character Z85 key")
            if label == "secret-key":
                secret = value
            else:
                public = value
            break
    if secret is None:
        raise KeyFileError(f'{path}: no "secret-key = ..." line')
    derived = zmq.curve_public(secret.encode("ascii")).decode("ascii")
    if public is not None and public != derived:
        raise KeyFileError(f"{path}: the public-key line does not match the secret key")
    return derived, secret


def server_key_from(value):
    """A server public key given as a Z85 string or as the path of a .pub file."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii")
    if is_z85_key(value) and not os.path.exists(value):
        return value
    return read_public_key(value)


def keypair_from(value):
    """A client key pair given as (public, secret) Z85 strings or a .key file path;
    None makes a fresh pair (enough when the server accepts any client key)."""
    if value is None:
        public, secret = zmq.curve_keypair()
        return public.decode("ascii"), secret.decode("ascii")
    if isinstance(value, (tuple, list)):
        public, secret = (v.decode("ascii") if isinstance(v, bytes) else v for v in value)
        if not (is_z85_key(public) and is_z85_key(secret)):
            raise KeyFileError("keypair: expected two 40-character Z85 keys (public, secret)")
        return public, secret
    return read_secret_key(value)
