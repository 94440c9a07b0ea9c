"""Word building blocks python-docx has no API for: table header rows, alt text, language, contents.

Kept apart from `docx.py` (which walks the Report) so that file reads as the report's outline.
Everything here takes python-docx objects; python-docx itself is imported by the caller, lazily.
"""

from __future__ import annotations

from collections.abc import Sequence

LANGUAGE = "en-GB"


def add(document, text: str = "", style: str = ""):
    """``document.add_paragraph(text, style)``, faster: the style is set by its id, which in
    python-docx's template is the name without spaces ("List Bullet": "ListBullet"). Given a
    name, python-docx scans every style of the template for it, and for the default, each time:
    2 ms a paragraph, and the demo's report has 1,700 of them."""
    paragraph = document.add_paragraph(text)
    if style:
        paragraph._p.style = style.replace(" ", "")
    return paragraph


def _cm(value: float):
    from docx.shared import Cm

    return Cm(value)


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def set_language(document, language: str = LANGUAGE) -> None:
    """The document's language for screen readers and spelling: core properties and default runs."""
    from docx.oxml.ns import qn

    document.core_properties.language = language
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    run_properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if run_properties is None:  # not in python-docx's own template, which has them
        return
    for old in run_properties.findall(qn("w:lang")):
        run_properties.remove(old)
    run_properties.append(_element("w:lang", val=language, eastAsia=language, bidi="ar-SA"))
    theme_language = document.settings.element.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:val"), language)


def readable_styles(document) -> None:
    """Near-black text in the styles python-docx's template colours light blue (#4F81BD: 3.9:1
    on white, below WCAG AA's 4.5:1 for text under 14pt bold), as the HTML report's #0B0C0C."""
    from docx.shared import Pt, RGBColor

    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption",
                 "TOC Heading", "Quote"):
        document.styles[name].font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    document.styles["Caption"].font.size = Pt(10)  # the template's 9pt is small for a caption


def mark_header_row(row) -> None:
    """Repeat the row on each page and tell assistive technology it holds the column headers."""
    properties = row._tr.get_or_add_trPr()
    properties.append(_element("w:tblHeader", val="true"))


def describe_table(table, caption: str, description: str = "") -> None:
    """The table's alt text (Word's Table Properties > Alt Text: title and description)."""
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    # The schema orders tblCaption / tblDescription last in tblPr.
    for tag in ("w:tblCaption", "w:tblDescription"):
        for old in properties.findall(qn(tag)):
            properties.remove(old)
    properties.append(_element("w:tblCaption", val=caption[:255]))
    if description:
        properties.append(_element("w:tblDescription", val=description[:4000]))


def add_table(document, caption: str, header: Sequence[str], rows: Sequence[Sequence[object]],
              description: str = ""):
    """A captioned grid table whose first row is marked as its header row."""
    add(document, caption, "Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    mark_header_row(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=False):
            cell.text = "" if value is None else str(value)
    describe_table(table, caption, description)
    return table


def _field_run(paragraph, kind: str) -> None:
    run = paragraph.add_run()
    run._r.append(_element("w:fldChar", fldCharType=kind))


def add_contents(document, entries: Sequence[tuple[int, str]]) -> None:
    """A Word table of contents field whose shown result is the headings listed now.

    Word keeps the listed text until someone updates the field (F9), so the contents read right
    on opening, in LibreOffice and in Word, without the "update fields?" prompt.
    """
    # "TOC Heading" looks like Heading 1 but stays out of the contents it introduces.
    add(document, "Contents", "TOC Heading")
    first = add(document)
    _field_run(first, "begin")
    instruction = first.add_run()
    text = _element("w:instrText")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = ' TOC \\o "1-2" \\h \\z \\u '
    instruction._r.append(text)
    _field_run(first, "separate")
    paragraph = first
    for number, (level, title) in enumerate(entries):
        if number:
            paragraph = add(document)
        # Indent by level: the default template has no "TOC 1" styles until Word updates the field.
        paragraph.paragraph_format.left_indent = _cm(0.75 * (level - 1))
        paragraph.add_run(title)
    _field_run(paragraph, "end")
