"""docxtpl: fill a template with a document's context, then apply the layout pass."""

from __future__ import annotations

from pathlib import Path

from archive.render import _ooxml
from archive.render.documents import Document
from archive.render.errors import TemplateError
from archive.workspace import Workspace


def render_docx(workspace: Workspace, doc: Document, out_dir: Path) -> Path:
    """Write ``out_dir/<stem>.docx``; record text is escaped, never evaluated as a template."""
    import jinja2
    from docxtpl import DocxTemplate

    path = workspace.template_path(doc.template)
    if not path.is_file():
        raise TemplateError(f"找不到模板 {doc.template}（{path}）")
    try:
        template = DocxTemplate(str(path))
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
        template.render(dict(doc.context), jinja_env=env, autoescape=True)
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
    document.save(str(target))
    return target
