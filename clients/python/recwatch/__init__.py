"""recwatch — subscribe to the events recwatchd publishes on ZeroMQ.

    from recwatch import Subscriber
    with Subscriber("tcp://127.0.0.1:5560", topics=["recommendation."]) as sub:
        for event in sub:
            print(event["countries"], event["text"])

See clients/python/README.md, and schema/recwatch-events.schema.json for the
fields of each event."""

from .events import (Counters, Error, ErrorEvent, Event, Heartbeat, Recommendation,
                     Statement, from_dict, to_dict)
from .keys import KeyFileError, is_z85_key, read_public_key, read_secret_key
from .subscriber import ReplayError, Subscriber

__all__ = ["Subscriber", "ReplayError", "Event", "Statement", "Recommendation", "Error",
           "ErrorEvent", "Heartbeat", "Counters", "from_dict", "to_dict", "KeyFileError",
           "is_z85_key", "read_public_key", "read_secret_key"]
__version__ = "1.0.0"
