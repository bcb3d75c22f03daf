"""The office web platform (`renda serve`): the second face of the library, peer of ``archive.cli``.

A Starlette application (:func:`archive.web.app.create_app`) over one workspace: server-rendered Chinese
pages (Jinja2, autoescaped), htmx served from the package for the small interactive parts, no CDN, no build
step.  The face holds no business rule: a page resolves the viewer, calls the library, renders the result.

- ``app``: ``create_app(workspace, ...)`` — routes of every page module, static files, error pages, middleware;
- ``site``: :class:`Site`, what every request shares (workspace, account store, templates, catalog cache);
- ``page``: the helpers a page uses — ``viewer(request)``, ``render``, ``respond`` (HTML or its JSON twin),
  ``record_or_404``, ``audit``, ``form``, ``require``;
- ``security``: the middleware — size limits, security headers and CSP, ``.json`` suffix, sessions, CSRF;
- ``forms``: forms generated from the record schemas (controls, posted text → data, list buttons);
- ``pages/``: one module per area, each exposing ``routes``; ``templates/``, ``static/`` (style.css, htmx).

What a viewer may see is decided in one place, :class:`archive.accounts.Viewer` (scope table in its module):
pages filter with ``viewer.sees(record)`` / ``viewer.screen(catalog)`` and nothing else.

How to add a page
-----------------

1. Write the view in the area's module under ``pages/`` (e.g. ``pages/records.py``) as a plain function
   ``def record(request: Request) -> Response`` — a sync function, run in Starlette's thread pool, so it may
   call the library directly — and list it in that module's ``routes``::

       routes = [Route("/records/{id}", record, name="record")]

   ``app.py`` collects ``routes`` from every module in ``pages.PAGES``; a new module is added there once.
2. In the view: ``who = viewer(request)`` (redirects to /login when nobody is logged in and the public view is
   off); ``require(request, "admin", "clerk")`` for a role; ``record_or_404(request, id)`` for one record (a
   record the viewer may not see is the same 404 as a missing one, and is audited as a refusal);
   ``site(request).catalog()`` for the loaded catalog, always through ``who.screen(...)``.
3. Answer with ``respond(request, "records/record.html", data, record=...)``: the template with ``data`` and the
   other values, or — when the client asked for ``Accept: application/json`` or added ``.json`` to the URL —
   ``data`` as JSON (make it what the CLI's ``--json`` prints).  ``render(...)`` is the HTML-only form.
4. Templates extend ``base.html`` and fill ``{% block content %}``; every value is escaped by Jinja; no inline
   ``<script>`` or ``style=`` (the CSP forbids them): put CSS in ``static/style.css``, behaviour in htmx
   attributes.  A form that POSTs carries ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``
   (htmx requests send the ``X-CSRF-Token`` header the base layout sets); the middleware refuses it otherwise.
   In a POST view, ``form(request)`` gives the parsed form.
5. Log what the trail must show with ``audit(request, "view", record.id)`` — views and downloads of records
   above 公开 (``audit_record_view`` does the level test), builds, account changes.
6. Test it in ``tests/webapp/`` with the ``client_as(role, clearance=...)`` fixture: every role, status and content.
"""
