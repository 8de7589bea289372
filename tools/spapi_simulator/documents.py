"""Jobs (reports and feeds being processed), the documents behind them, and server-side
pagination.

Requested reports and feeds move IN_QUEUE -> IN_PROGRESS -> DONE: the first poll (getReport /
getFeed) sees IN_PROGRESS, the second DONE, and without polls they are DONE one simulated minute
after creation.

Documents are served by the simulator itself under `/_documents/<id>` (like Amazon's pre-signed
S3 URLs: no access token needed); feed documents are uploaded there with PUT.
"""

import base64
import struct
import zlib

DONE_AFTER = 60          # a requested job is DONE this many seconds after creation, polled or not


class Document:
    def __init__(self, doc_id, content=None, compression=None, content_type="text/plain; charset=UTF-8"):
        self.doc_id, self.content = doc_id, content
        self.compression, self.content_type = compression, content_type


class Job:
    """A report or a feed being processed."""

    def __init__(self, job_id, job_type, marketplace_ids, created):
        self.job_id, self.job_type = job_id, job_type
        self.marketplace_ids, self.created = list(marketplace_ids), created
        self.polls = 0
        self.cancelled = False
        self.fatal = False
        self.document_id = None
        self.data_start = self.data_end = None
        self.options = {}
        self.settlement = None   # (code, k) for settlement reports

    def status(self, now):
        if self.cancelled:
            return "CANCELLED"
        if self.settlement or self.polls >= 2 or now - self.created >= DONE_AFTER:
            return "FATAL" if self.fatal else "DONE"
        if self.polls >= 1 or now - self.created >= 5:
            return "IN_PROGRESS"
        return "IN_QUEUE"


class Pages:
    """Server-side pagination: a token names a stored list and an offset."""

    def __init__(self):
        self._pages = {}
        self._counter = 0

    def put(self, items, offset, extra=None):
        self._counter += 1
        token = base64.urlsafe_b64encode(("sim-page-%d" % self._counter).encode()).decode().rstrip("=")
        self._pages[token] = (items, offset, extra or {})
        return token

    def get(self, token):
        return self._pages.get(token)

    def page(self, items, offset, size, extra=None):
        """(slice, next_token or None)."""
        chunk = items[offset:offset + size]
        token = self.put(items, offset + size, extra) if offset + size < len(items) else None
        return chunk, token


def _pdf_text(text):
    return str(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages, size=(595, 842), font_size=18, top=700):
    """A real (minimal) PDF written by hand: one page per entry of ``pages`` (a line of text,
    or a list of lines), Helvetica ``font_size`` from ``top`` down, page ``size`` in points
    (A4 by default; a 4x6 inch label is (288, 432))."""
    pages = [[page] if isinstance(page, str) else list(page) for page in pages]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   " ".join("%d 0 R" % (4 + 2 * i) for i in range(len(pages))), len(pages)),
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for index, lines in enumerate(pages):
        leading = "" if len(lines) == 1 else " %d TL" % int(font_size * 1.4)
        shown = " T* ".join("(%s) Tj" % _pdf_text(line) for line in lines)
        stream = "BT /F1 %d Tf 40 %d Td%s %s ET" % (font_size, top, leading, shown)
        objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                       "/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % (size[0], size[1], 5 + 2 * index))
        objects.append("<< /Length %d >>\nstream\n%s\nendstream"
                       % (len(stream.encode("latin-1", "replace")), stream))
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += ("%d 0 obj\n%s\nendobj\n" % (number, body)).encode("latin-1", "replace")
    xref = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)).encode()
    out += "".join("%010d 00000 n \n" % offset for offset in offsets).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref)).encode()
    return out


def blank_png(width=8, height=12):
    """A real (white, 1-bit) PNG of ``width`` x ``height`` pixels."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))
