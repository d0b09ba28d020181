"""Key files (the format of daemon/keys.c) and the typed events against the schema."""

import dataclasses
import os
import subprocess

import pytest
import zmq

from conftest import SCHEMA
from recwatch import (Counters, Error, Heartbeat, KeyFileError, Recommendation, Statement,
                      is_z85_key, read_public_key, read_secret_key)
from recwatch.keys import keypair_from, server_key_from


def write(path, text, mode=0o600):
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.fixture
def pair():
    public, secret = zmq.curve_keypair()
    return public.decode(), secret.decode()


def test_z85_keys_are_recognised(pair):
    assert is_z85_key(pair[0]) and is_z85_key(pair[1])
    assert not is_z85_key(pair[0][:-1])
    assert not is_z85_key(pair[0][:-1] + "~")      # not in the alphabet
    assert not is_z85_key("#####" * 8)              # a group above 2^32 - 1
    assert not is_z85_key(None)


def test_key_files_in_the_daemons_format(tmp_path, pair):
    public, secret = pair
    write(tmp_path / "client.key",
          '# recwatch CURVE key pair "client": keep this file secret (mode 0600)\n'
          f"public-key = {public}\nsecret-key = {secret}\n")
    write(tmp_path / "server.pub", f"{public}\n", 0o644)
    assert read_secret_key(tmp_path / "client.key") == (public, secret)
    assert read_public_key(tmp_path / "server.pub") == public
    assert keypair_from(str(tmp_path / "client.key")) == (public, secret)
    assert server_key_from(str(tmp_path / "server.pub")) == public
    assert server_key_from(public) == public


def test_czmq_style_and_secret_only_files(tmp_path, pair):
    public, secret = pair
    write(tmp_path / "a.key", f'\n  secret-key: "{secret}"\nmetadata = whatever\n')
    assert read_secret_key(tmp_path / "a.key") == (public, secret)
    write(tmp_path / "b.pub", f"# comment\n\npublic-key = {public}\n", 0o644)
    assert read_public_key(tmp_path / "b.pub") == public


def test_bad_key_files_are_refused_with_a_reason(tmp_path, pair):
    public, secret = pair
    other_public, _ = zmq.curve_keypair()
    cases = {
        "open.key": (f"secret-key = {secret}\n", 0o644, "lets others read"),
        "writable.key": (f"secret-key = {secret}\n", 0o620, "lets others replace"),
        "mismatch.key": (f"public-key = {other_public.decode()}\nsecret-key = {secret}\n",
                         0o600, "does not match"),
        "short.key": (f"secret-key = {secret[:-2]}\n", 0o600, ":1: not a valid"),
        "nosecret.key": (f"public-key = {public}\n", 0o600, "no \"secret-key"),
    }
    for name, (text, mode, reason) in cases.items():
        with pytest.raises(KeyFileError, match=reason):
            read_secret_key(write(tmp_path / name, text, mode))
    with pytest.raises(KeyFileError, match="empty"):
        read_public_key(write(tmp_path / "empty.pub", "# nothing\n", 0o644))
    with pytest.raises(KeyFileError, match=":2: not a CURVE public key"):
        read_public_key(write(tmp_path / "bad.pub", "\nhello\n", 0o644))
    with pytest.raises(KeyFileError, match="No such file"):
        read_public_key(tmp_path / "missing.pub")


def test_files_from_recwatch_keygen_are_read(tmp_path):
    tool = os.environ.get("RECWATCH_TOOL")
    if not tool or not os.access(tool, os.X_OK):
        pytest.skip("needs build/recwatch (RECWATCH_TOOL): run clients/run-tests")
    result = subprocess.run([tool, "keygen", "-d", str(tmp_path), "client"],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    public, secret = read_secret_key(tmp_path / "client.key")
    assert read_public_key(tmp_path / "client.pub") == public
    assert zmq.curve_public(secret.encode()).decode() == public


def schema_fields(name):
    definition = SCHEMA["$defs"][name]
    names = set(definition["properties"])
    for part in definition.get("allOf", []):
        names |= set(SCHEMA["$defs"][part["$ref"].split("/")[-1]]["properties"])
    return names, set(definition["required"]) | {"schema", "type", "node", "seq"}


@pytest.mark.parametrize("cls,name", [(Statement, "statement"), (Recommendation, "recommendation"),
                                      (Error, "error"), (Heartbeat, "heartbeat")])
def test_dataclasses_have_exactly_the_required_fields_of_the_schema(cls, name):
    fields = {f.name for f in dataclasses.fields(cls)} - {"extra"}
    properties, required = schema_fields(name)
    assert fields == required, f"{cls.__name__}: {fields ^ required}"
    assert fields <= properties


def test_counters_match_the_schema():
    fields = {f.name for f in dataclasses.fields(Counters)} - {"extra"}
    assert fields == set(SCHEMA["$defs"]["counters"]["required"])
