#!/usr/bin/python3
"""Print the strong recommendations addressed to one country, from the start of
the journal, then live, as they are extracted:

    python3 clients/python/examples/strong_recommendations.py KZ [ENDPOINT [REPLAY]]
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from the source tree

from recwatch import Recommendation, Subscriber  # noqa: E402

country, endpoint, replay = (sys.argv[1:] + ["KZ", "tcp://127.0.0.1:5560",
                                             "tcp://127.0.0.1:5561"][len(sys.argv) - 1:])[:3]

with Subscriber(endpoint, topics=[f"recommendation.{country}"],
                replay_endpoint=replay, since=1) as subscriber:
    for event in subscriber.typed():
        if isinstance(event, Recommendation) and event.strength == "strong":
            who = event.addressee or "(no addressee)"
            print(f"[{event.node} #{event.seq}] {who}: {event.action or event.text}")
            print(f"    themes: {', '.join(event.themes) or '-'}; confidence {event.confidence:.2f}")
