"""A print PDF finished as print shops' preflight expects it: trim and bleed boxes, the brand's
exact CMYK values, title, author and a real creation date, and PDF/X-4 with its output intent.

Typst writes none of these (no boxes, no PDF/X, its CMYK values rounded to 1/255, a fixed
date for reproducible bytes), so they are set here on the rendered PDF with pikepdf (qpdf's
Python binding), which keeps the PDF version Typst wrote. Kept apart from rendering because only
print PDFs need it.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from bluekit.errors import BluekitError
from bluekit.pipeline.output_intent import OutputIntent
from bluekit.pipeline.print_inks import InkRules, set_inks

if TYPE_CHECKING:
    import pikepdf

MM = 72 / 25.4  # PDF points per millimetre
CMYK = tuple[float, float, float, float]


class SourceDateError(BluekitError):
    """SOURCE_DATE_EPOCH is set to something that is not a time."""


@dataclass(frozen=True)
class PrintBoxes:
    """Trim size and margins of a print PDF, in millimetres (page = trim + 2 x slug)."""

    trim_width: float
    trim_height: float
    bleed: float = 3.0
    slug: float = 12.0  # room outside the trim for the bleed and the crop marks


@dataclass(frozen=True)
class PrintSetup:
    """What makes a rendered PDF a print PDF: its boxes, its metadata, the exact CMYK values it
    uses (percentages, which Typst rounds to 1/255) and the output intent (None: no PDF/X)."""

    boxes: PrintBoxes
    title: str
    author: str
    subject: str = ""
    language: str = ""
    inks: InkRules | None = None
    intent: OutputIntent | None = None
    # seconds since 1970 (None: SOURCE_DATE_EPOCH, else the time of rendering); the date a file
    # was made is not what it is made from, so it stays out of the fingerprint
    created: int | None = field(default=None, compare=False)

    def fingerprint(self) -> str:
        intent = self.intent.digest if self.intent else None
        return repr((self.boxes, self.title, self.author, self.subject, self.language,
                     self.inks, intent))


def source_date() -> int | None:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention), if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise SourceDateError(
            f"SOURCE_DATE_EPOCH is {value!r}, not a number of seconds since 1970",
            hint="set it to an integer (e.g. `date +%s`) or unset it",
        )
    return int(value)


def finish_print_pdf(pdf: bytes, setup: PrintSetup) -> bytes:
    """The rendered PDF with boxes, exact colours, metadata and output intent set."""
    # pikepdf is imported here: only print PDFs need it
    import pikepdf

    created = setup.created if setup.created is not None else source_date()
    when = datetime.fromtimestamp(created if created is not None else time.time(), UTC)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        version = doc.pdf_version
        _set_boxes(doc, setup.boxes)
        if setup.inks is not None:
            _set_inks(doc, setup.inks)
        if setup.intent is not None:
            _set_output_intent(doc, setup.intent)
        _set_metadata(doc, setup, when)
        out = io.BytesIO()
        # deterministic_id: the file ID comes from the content, so the same input gives the
        # same bytes; min_version keeps the header Typst wrote
        doc.save(out, min_version=version, deterministic_id=True)
    return out.getvalue()


def _set_boxes(doc: pikepdf.Pdf, boxes: PrintBoxes) -> None:
    import pikepdf

    slug, bleed = boxes.slug * MM, boxes.bleed * MM
    width, height = boxes.trim_width * MM, boxes.trim_height * MM
    for page in doc.pages:
        page.obj.TrimBox = pikepdf.Array([slug, slug, slug + width, slug + height])
        page.obj.BleedBox = pikepdf.Array(
            [slug - bleed, slug - bleed, slug + width + bleed, slug + height + bleed]
        )


def _set_inks(doc: pikepdf.Pdf, rules: InkRules) -> None:
    """Exact brand colours and small text in one ink, on every page and form (print_inks)."""
    import pikepdf

    for page in doc.pages:
        owners: list[pikepdf.Page | pikepdf.Stream] = [page, *_forms(page.obj)]
        for owner in owners:
            data = set_inks(owner, rules)
            if data is None:
                continue
            if isinstance(owner, pikepdf.Page):
                owner.obj.Contents = doc.make_stream(data)
            else:
                owner.write(data)


def _forms(obj: pikepdf.Object) -> list[pikepdf.Stream]:
    """The form XObjects a page or form draws, nested ones included."""
    import pikepdf

    found: list[pikepdf.Stream] = []
    resources = obj.get("/Resources")
    xobjects = resources.get("/XObject") if resources is not None else None
    for xobject in (xobjects or {}).values():
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
            found += [xobject, *_forms(xobject)]
    return found


def _set_output_intent(doc: pikepdf.Pdf, intent: OutputIntent) -> None:
    import pikepdf

    # deflated once per process, not once per file: written as it is
    profile = pikepdf.Stream(doc, intent.deflated_profile)
    profile.Filter = pikepdf.Name.FlateDecode
    profile.N = 4
    entry = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=intent.identifier,
        OutputCondition=intent.condition,
        Info=intent.condition,
        RegistryName=intent.registry,
        DestOutputProfile=profile,
    )
    doc.Root.OutputIntents = pikepdf.Array([entry])


def _pdf_date(when: datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%SZ")


def _set_metadata(doc: pikepdf.Pdf, setup: PrintSetup, when: datetime) -> None:
    import pikepdf

    from bluekit import __version__

    creator = str(doc.docinfo.get("/Creator", "Typst"))
    info = doc.docinfo
    info.Title = setup.title
    info.Author = setup.author
    if setup.subject:
        info.Subject = setup.subject
    info.Creator = f"bluekit {__version__} ({creator})"
    info.Producer = f"bluekit {__version__} with pikepdf {pikepdf.__version__}"
    info.CreationDate = info.ModDate = _pdf_date(when)
    info.Trapped = pikepdf.Name("/False")
    if setup.intent is not None:
        info.GTS_PDFXVersion = "PDF/X-4"
    # the document's id comes from what it is made of, so a rebuild keeps it
    document_id = uuid.uuid5(uuid.NAMESPACE_URL, "bluekit:" + setup.fingerprint())
    xmp = _xmp(setup, when, str(info.Creator), str(info.Producer), document_id)
    doc.Root.Metadata = doc.make_stream(xmp.encode("utf-8"))
    doc.Root.Metadata.Type = pikepdf.Name.Metadata
    doc.Root.Metadata.Subtype = pikepdf.Name.XML


def _xmp(
    setup: PrintSetup, when: datetime, creator: str, producer: str, document_id: uuid.UUID
) -> str:
    """The XMP packet PDF/X-4 asks for (title, author, dates, tools, ids, PDF/X version)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    lang = escape(setup.language or "x-default")
    pdfx = (
        '<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>' if setup.intent else ""
    )
    language = (
        f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>"
        if setup.language else ""
    )
    subject = (
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(setup.subject)}'
        "</rdf:li></rdf:Alt></dc:description>" if setup.subject else ""
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">'
        "<dc:format>application/pdf</dc:format>"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(setup.title)}</rdf:li>'
        "</rdf:Alt></dc:title>"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(setup.author)}</rdf:li></rdf:Seq></dc:creator>"
        f"{subject}{language}"
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate><xmp:ModifyDate>{stamp}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>"
        f"<xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>"
        f"<pdf:Producer>{escape(producer)}</pdf:Producer><pdf:Trapped>False</pdf:Trapped>"
        f"<xmpMM:DocumentID>uuid:{document_id}</xmpMM:DocumentID>"
        f"<xmpMM:InstanceID>uuid:{document_id}</xmpMM:InstanceID>"
        "<xmpMM:VersionID>1</xmpMM:VersionID><xmpMM:RenditionClass>default</xmpMM:RenditionClass>"
        f"{pdfx}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
