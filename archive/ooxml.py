"""WordprocessingML names and element helpers shared by everything that reads or writes .docx XML.

The W namespace, ``qn`` and the theme-font attribute list, defined once: the documents' layout pass
(``render._ooxml``), the annual archive's catalogue tables (``annual._docx``) and the conformance check
(``conformance.docx``) all use these.  Imports nothing from renda: it is core.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSMAP = {"w": W_NS}
# The rFonts attributes that name a theme font: Word replaces 黑体 by 等线 through them on an office PC.
THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def qn(tag: str) -> str:
    """``w:rFonts`` → ``{namespace}rFonts``."""
    prefix, local = tag.split(":")
    assert prefix == "w"
    return f"{{{W_NS}}}{local}"


def w_name(local: str) -> str:
    """``rFonts`` → ``{namespace}rFonts``."""
    return f"{{{W_NS}}}{local}"


def el(tag: str, **attrs: Any) -> etree._Element:
    # python-docx's parser, so that its proxy objects understand the new elements
    from docx.oxml import OxmlElement

    node: etree._Element = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


def sub(parent: etree._Element, tag: str, **attrs: Any) -> etree._Element:
    node = el(tag, **attrs)
    parent.append(node)
    return node


def child(parent: etree._Element, tag: str) -> etree._Element:
    """The first ``tag`` child of ``parent``, created when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = el(tag)
        parent.append(found)
    return found


def replace_child(parent: etree._Element, node: etree._Element) -> etree._Element:
    old = parent.find(node.tag)
    if old is not None:
        old.addprevious(node)
        parent.remove(old)
    else:
        parent.append(node)
    return node


def strip_theme_fonts(root: etree._Element) -> None:
    """Remove every theme-font attribute: Word would otherwise replace 黑体 by 等线 on an office PC."""
    for rfonts in root.iter(qn("w:rFonts")):
        for name in THEME_ATTRS:
            rfonts.attrib.pop(qn(f"w:{name}"), None)


def run_fonts(east_asia: str, latin: str) -> etree._Element:
    """A run's fonts, every script named (no theme font left for Word to substitute)."""
    return el("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia")


# The zip timestamp of every member of a reproducible package (the earliest a zip can hold).
PACKAGE_TIME = (1980, 1, 1, 0, 0, 0)


def reproducible_package(data: bytes) -> bytes:
    """The same .docx with its members in name order ([Content_Types].xml first), one fixed timestamp and fixed
    permissions: a package built twice from the same parts has the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=PACKAGE_TIME)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()
