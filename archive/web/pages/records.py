"""记录: browse by 届 → 年 → 类型, a record's page (fields, body, follow-up, related, problems), downloads.

URLs: /records, /records/{id}, /records/{id}/download/{fmt}.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
