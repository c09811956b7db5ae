"""Live readings over MQTT: ``manage.py consume_readings``.

- ``config``: the broker and subscription settings, checked once at start.
- ``link``: the paho-mqtt client (persistent session, shared subscription,
  manual acknowledgements, flow control by the broker's Receive Maximum).
- ``messages``: a message's payload to reading records, or the reason it is refused.
- ``consumer``: batches, the write, acknowledgements after commit, dead letters, pauses.
- ``health``: Prometheus metrics and the liveness listener.
"""
