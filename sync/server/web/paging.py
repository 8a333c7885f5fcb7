"""Page numbers from the query string and the links to the pages around."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

MAX_PAGE = 100_000


def page_number(request: Request) -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.query_params.get("page", "1"))))
    except ValueError:
        return 1


@dataclass
class Paging:
    request: Request
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def link(self, page: int) -> str:
        query = dict(self.request.query_params)
        query["page"] = str(page)
        return f"{self.request.url.path}?{urlencode(query)}"

    @property
    def previous(self) -> str | None:
        return self.link(self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.page + 1) if self.page < self.pages else None
