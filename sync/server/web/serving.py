"""Two servers in one process: the station API and the workbench.

They listen on different sockets (by default the station API on every interface the operator
names with ``--host``, the workbench on 127.0.0.1 or the office network's address with
``--web-host``): the station API faces the open network, where enrolled laptops upload from
anywhere; the workbench holds every family's records and must be reachable only from the
command's office network, which a bind address and a firewall rule on its own port can say and
a path prefix on a shared port cannot. Each server has its own connection limit, keep-alive and
request-size limits, so a flood of uploads fills the station server's slots and not the
workbench's, and each app has its own database pool. They share one event loop and one CPU,
which is what one process on the command's machine gives; a province that needs more runs them
as two processes from the same code.
"""

from __future__ import annotations

import asyncio

import uvicorn

# What each side may hold open at once: many stations upload large batches for a long time;
# the office has tens of people.
STATION_LIMITS = {"limit_concurrency": 200, "timeout_keep_alive": 30}
WEB_LIMITS = {"limit_concurrency": 100, "timeout_keep_alive": 5}


def serve_both(station: uvicorn.Config, web: uvicorn.Config) -> None:
    """Run both until one stops (Ctrl-C, a signal, a port already taken): then both stop.
    Make the configs with ``**STATION_LIMITS`` and ``**WEB_LIMITS``."""
    asyncio.run(_serve([uvicorn.Server(station), uvicorn.Server(web)]))


async def _serve(servers: list[uvicorn.Server]) -> None:
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*pending)
