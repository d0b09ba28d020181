"""python3 -m recwatch tail — print recwatch events as JSON lines.

    python3 -m recwatch tail [-e ENDPOINT]... [-r REPLAY] [-t TOPIC]... [--since N]
                             [--server-key FILE --key FILE] [-n COUNT] [--timeout S]
"""

import argparse
import json
import logging
import sys

from .keys import KeyFileError
from .subscriber import ReplayError, Subscriber


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python3 -m recwatch",
                                     description="Subscribe to recwatchd's events.")
    commands = parser.add_subparsers(dest="command", required=True)
    tail = commands.add_parser("tail", help="print events as JSON lines")
    tail.add_argument("-e", "--endpoint", action="append",
                      help="publisher endpoint (repeat for several; default "
                           "tcp://127.0.0.1:5560)")
    tail.add_argument("-r", "--replay", help="replay endpoint (for --since and to fill gaps)")
    tail.add_argument("-t", "--topic", action="append", default=[],
                      help="topic prefix: statement.KZ, recommendation., error, heartbeat "
                           "(repeat; default: all)")
    tail.add_argument("--since", type=int, metavar="N",
                      help="first replay journalled events with seq >= N")
    tail.add_argument("--server-key", metavar="FILE", help="server's CURVE public key (NAME.pub)")
    tail.add_argument("--key", metavar="FILE", help="our CURVE key pair (NAME.key)")
    tail.add_argument("-n", "--count", type=int, help="exit after COUNT events")
    tail.add_argument("--timeout", type=float, metavar="S",
                      help="exit (status 0) when no event comes for S seconds")
    tail.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    arguments = parser.parse_args(argv)
    if arguments.since is not None and not arguments.replay:
        parser.error("--since needs -r/--replay")
    if arguments.key and not arguments.server_key:
        parser.error("--key needs --server-key")
    return arguments


def tail(arguments):
    subscriber = Subscriber(arguments.endpoint or ["tcp://127.0.0.1:5560"],
                            topics=arguments.topic, replay_endpoint=arguments.replay,
                            since=arguments.since, server_key=arguments.server_key,
                            keypair=arguments.key)
    printed = 0
    with subscriber:
        while arguments.count is None or printed < arguments.count:
            event = subscriber.recv(timeout=arguments.timeout)
            if event is None:
                break
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            printed += 1
    return 0


def main(argv=None):
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.INFO,
                        format="recwatch: %(message)s", stream=sys.stderr)
    try:
        return tail(arguments)
    except (KeyFileError, ReplayError, ValueError) as error:
        print(f"recwatch: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
