"""The load bench/web.py puts on a server: each user asks the paths of KG_BENCH_PATHS (a JSON list)
in turn, without pause; any status but 200 is a failure."""

from __future__ import annotations

import json
import os
from itertools import cycle

from locust import HttpUser, task

PATHS: list[str] = json.loads(os.environ["KG_BENCH_PATHS"])


class Reader(HttpUser):
    def on_start(self) -> None:
        start = id(self) % len(PATHS)
        self.paths = cycle(PATHS[start:] + PATHS[:start])

    @task
    def ask(self) -> None:
        self.client.get(next(self.paths), name="page")
