"""The bare endpoint bench/web.py measures `kg serve` against: `/p/<i>` runs the statements page `i`
runs (recorded by bench/web.py into the file KG_BENCH_STATEMENTS) through the driver, in the same
transactions, and returns their rows as JSON. No template, no page: what serving the same queries
costs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kg.config import Settings
from kg.graph.db import Database, answer

#: each page's transactions, each its statements in order
STATEMENTS: list[list[list[tuple[str, dict[str, Any]]]]] = json.loads(
    Path(os.environ["KG_BENCH_STATEMENTS"]).read_text(encoding="utf-8"))
db = Database(Settings.resolve())


def replay(i: int) -> list[Any]:
    return [db.in_read(lambda tx, g=group: [answer(tx, cypher, params)[1] for cypher, params in g])
            for group in STATEMENTS[i]]


class Rows(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=str, ensure_ascii=False).encode("utf-8")


async def page(request: Request) -> JSONResponse:
    return Rows(await run_in_threadpool(replay, int(request.path_params["i"])))


async def front(request: Request) -> JSONResponse:
    return JSONResponse({"pages": len(STATEMENTS)})


app = Starlette(routes=[Route("/", front), Route("/p/{i:int}", page)])
