"""The fields a browser submits from a page's record form (``form_of``): for the edit-page tests and
bench/edit_pages.py, which post forms exactly as rendered."""

from __future__ import annotations

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields of the record form of a page as a browser submits them: text inputs and hidden ones, checked
    boxes, the selected option of each select, textareas (the newline after the tag dropped, line breaks sent
    as CR LF), and the submit button pressed (``_action=save``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: tuple[str, list[str]] | None = None
        self.select: tuple[str, list[tuple[str, bool]]] | None = None
        self.option: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "record-form" in a.get("class", ""):
            self.in_form = True
        if not self.in_form or ("name" not in a and tag not in ("option",)):
            return
        if tag == "input" and a.get("type") != "submit":
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self.textarea = (a["name"], [])
        elif tag == "select":
            self.select = (a["name"], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea[1])
            text = text[1:] if text.startswith("\n") else text
            self.fields.append((self.textarea[0], text.replace("\n", "\r\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            options = self.select[1]
            chosen = next((v for v, selected in options if selected), options[0][0] if options else "")
            self.fields.append((self.select[0], chosen))
            self.select = None


def form_of(html: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(html)
    assert reader.fields, "no record form on the page"
    return reader.fields
