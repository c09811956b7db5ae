"""Store the readings devices publish over MQTT (records/mqtt), until SIGTERM."""

import logging
import signal

from django.core.management.base import BaseCommand

from records.ingest import ON_CONFLICT_CHOICES
from records.mqtt import config, health
from records.mqtt.consumer import Consumer

logger = logging.getLogger("records.mqtt")


class Command(BaseCommand):
    help = (
        "Subscribe to MQTT_TOPIC (a shared subscription) and store each message's readings; "
        "refused messages go to MQTT_DEAD_LETTER_TOPIC with the reason. SIGTERM finishes the batch in hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--on-conflict",
            choices=ON_CONFLICT_CHOICES,
            default="skip",
            help="what an existing (sensor, recorded_at) gets: skip keeps it, update replaces its value (default skip)",
        )
        parser.add_argument("--url", help="broker URL, instead of MQTT_URL")
        parser.add_argument("--client-id", help="MQTT client id, instead of MQTT_CLIENT_ID")
        parser.add_argument("--health-port", type=int, help="port of /livez and /metrics, instead of MQTT_HEALTH_PORT")

    def handle(self, *args, on_conflict, url, client_id, health_port, **options):
        settings = config.from_settings(on_conflict, url=url, client_id=client_id, health_port=health_port)
        consumer = Consumer(settings)
        if settings.health_port:
            server = health.serve(settings.health_port, consumer.liveness)
            logger.info("liveness and metrics on port %d", server.server_address[1])
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: consumer.stop())
        consumer.run()
