"""The mixed read load of ``load.py`` for locust: each simulated client picks a
read of the mix (weighted) and sends it with its account's credentials, with no
pause between requests. The mix is written by ``load.py`` into the JSON file
``BENCH_LOCUST_MIX`` names: ``[{"name", "path", "headers", "weight"}, ...]``."""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, task

MIX = json.loads(open(os.environ["BENCH_LOCUST_MIX"]).read())  # noqa: SIM115 (read once)
WEIGHTS = [read["weight"] for read in MIX]


class Reader(FastHttpUser):
    @task
    def read(self):
        read = random.choices(MIX, WEIGHTS)[0]
        self.client.get(read["path"], headers=read["headers"], name=read["name"])
