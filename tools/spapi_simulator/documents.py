"""Jobs (reports and feeds being processed), the documents behind them, and server-side
pagination.

Requested reports and feeds move IN_QUEUE -> IN_PROGRESS -> DONE: the first poll (getReport /
getFeed) sees IN_PROGRESS, the second DONE, and without polls they are DONE one simulated minute
after creation.

Documents are served by the simulator itself under `/_documents/<id>` (like Amazon's pre-signed
S3 URLs: no access token needed); feed documents are uploaded there with PUT.
"""

import base64

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
