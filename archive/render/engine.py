"""docxtpl: fill a template with a document's context, then apply the layout pass."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from archive.render import _ooxml
from archive.render.documents import Document
from archive.render.errors import TemplateError
from archive.workspace import Workspace


@cache
def _environment() -> Any:
    """One Jinja environment that compiles each distinct template part once.

    docxtpl calls ``from_string`` on every part of every render; compiling dominated the time of a year's
    archive (hundreds of documents from five templates).  Parts are keyed by their full source text, so an
    edited template is simply a new key.
    """
    import jinja2

    class CachingEnvironment(jinja2.Environment):
        compiled: dict[str, jinja2.Template] = {}  # noqa: RUF012 - one environment per process

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) > 256:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return CachingEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def render_docx(workspace: Workspace, doc: Document, out_dir: Path) -> Path:
    """Write ``out_dir/<stem>.docx``; record text is escaped, never evaluated as a template."""
    import jinja2
    from docxtpl import DocxTemplate

    path = workspace.template_path(doc.template)
    if not path.is_file():
        raise TemplateError(f"找不到模板 {doc.template}（{path}）")
    try:
        template = DocxTemplate(str(path))
        template.render(dict(doc.context), jinja_env=_environment(), autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"模板 {workspace.relative(path)} 使用了未定义的变量：{exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"模板 {workspace.relative(path)} 语法错误：{exc.message}") from None
    except Exception as exc:  # a broken .docx: zip or XML errors from python-docx
        if isinstance(exc, TemplateError):
            raise
        raise TemplateError(f"模板 {workspace.relative(path)} 无法使用：{exc}") from None
    document = template.docx
    _ooxml.apply_layout(document, sealed=bool(doc.context.get("sealed", True)), draft=not doc.record.is_final)
    target = out_dir / f"{doc.stem}.docx"
    buffer = io.BytesIO()  # a zip written to the file itself would fail again in __del__ when the disk is full
    document.save(buffer)
    target.write_bytes(buffer.getvalue())
    return target
