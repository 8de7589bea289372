"""Feeds: feed documents uploaded by the seller, feed jobs, and their processing reports.
`JSON_LISTINGS_FEED` quantity updates change the FBM listing quantities of the scenario;
`UPLOAD_VAT_INVOICE` uploads are judged and recorded by vat_invoices.py."""

import json

from . import vat_invoices
from .clock import iso
from .const import MARKETPLACE_BY_ID, SELLER_ID, VAT_INVOICE_FEED
from .documents import DONE_AFTER, Document, Job
from .errors import ScenarioError


def _summary(processed, accepted, invalid, errors=None):
    return {"errors": invalid if errors is None else errors, "warnings": 0,
            "messagesProcessed": processed, "messagesAccepted": accepted, "messagesInvalid": invalid}


class FeedStore:
    """The feed half of `reports.Store` (its documents, feeds and ids)."""

    def create_feed_document(self, body):
        if not isinstance(body, dict) or not body.get("contentType"):
            raise ScenarioError(400, "InvalidInput", "contentType is required.")
        doc = Document("amzn1.tortuga.4.na.feed-%s" % self._new_id(), None, None, body["contentType"])
        self.documents[doc.doc_id] = doc
        return {"feedDocumentId": doc.doc_id, "url": self.doc_url(doc.doc_id)}

    def upload(self, doc_id, content, content_type):
        doc = self.documents.get(doc_id)
        if doc is None or doc.doc_id.find(".feed-") < 0:
            raise ScenarioError(404, "NotFound", "No upload destination %s." % doc_id)
        doc.content = content
        if content_type:
            doc.content_type = content_type

    def create_feed(self, body, now):
        if not isinstance(body, dict):
            raise ScenarioError(400, "InvalidInput", "Request body must be a JSON object.")
        for field in ("feedType", "marketplaceIds", "inputFeedDocumentId"):
            if not body.get(field):
                raise ScenarioError(400, "InvalidInput", "%s is required." % field)
        if body["inputFeedDocumentId"] not in self.documents:
            raise ScenarioError(400, "InvalidInput",
                                "Invalid inputFeedDocumentId %s." % body["inputFeedDocumentId"])
        ids, options = body["marketplaceIds"], body.get("feedOptions")
        if not isinstance(ids, list) or not all(isinstance(m, str) for m in ids):
            raise ScenarioError(400, "InvalidInput", "marketplaceIds must be a list of strings.")
        if options is not None and not (isinstance(options, dict) and
                                        all(isinstance(v, str) for v in options.values())):
            raise ScenarioError(400, "InvalidInput", "feedOptions must map names to strings.")
        if body["feedType"] == VAT_INVOICE_FEED:
            vat_invoices.check_request(body)
        job = Job(self._new_id(), body["feedType"], ids, now)
        job.input_document = body["inputFeedDocumentId"]
        job.options = dict(options or {})
        self.feeds[job.job_id] = job
        return job

    def feed(self, feed_id, now, poll=False):
        job = self.feeds.get(feed_id)
        if job is None:
            raise ScenarioError(404, "NotFound", "Feed %s not found." % feed_id)
        if poll:
            job.polls += 1
        self._settle(job, now)
        return job

    def process_due(self, now):
        """Process every feed that is DONE (or FATAL) at `now` and not processed yet."""
        for job in list(self.feeds.values()):
            self._settle(job, now)

    def _settle(self, job, now):
        """Process `job` when it reached DONE/FATAL; VAT invoice feeds are processed in the
        order they were created (so which of two uploads of one invoice wins does not depend
        on the order they are polled in)."""
        if job.document_id is not None or job.status(now) not in ("DONE", "FATAL"):
            return
        if job.job_type == VAT_INVOICE_FEED:
            for earlier in list(self.feeds.values()):
                if earlier is job:
                    break
                if earlier.job_type == VAT_INVOICE_FEED and earlier.document_id is None:
                    self._process_feed(earlier)
        self._process_feed(job)

    def feed_json(self, job, now):
        self._settle(job, now)
        status = job.status(now)
        out = {"feedId": job.job_id, "feedType": job.job_type, "marketplaceIds": job.marketplace_ids,
               "createdTime": iso(job.created), "processingStatus": status}
        if status != "IN_QUEUE":
            out["processingStartTime"] = iso(job.created + 2)
        if status in ("DONE", "FATAL"):
            out["processingEndTime"] = iso(job.created + min(DONE_AFTER, max(2, now - job.created)))
            out["resultFeedDocumentId"] = job.document_id
        return out

    def feed_document(self, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc.content is None:
            raise ScenarioError(404, "NotFound", "Feed document %s not found." % doc_id)
        return {"feedDocumentId": doc_id, "url": self.doc_url(doc_id)}

    def _process_feed(self, job):
        source = self.documents[job.input_document]
        result = {"header": {"sellerId": SELLER_ID, "version": "2.0", "feedId": job.job_id},
                  "issues": [], "summary": {}}
        if job.job_type == VAT_INVOICE_FEED:
            issues = self.vat.process(job, source.content)
            result.update(issues=issues, summary=_summary(1, 0 if issues else 1, 1 if issues else 0,
                                                          len(issues)))
        elif source.content is None:
            job.fatal = True
            result["issues"].append({"code": "DocumentNotUploaded", "severity": "ERROR",
                                     "message": "The feed document was never uploaded."})
            result["summary"] = _summary(0, 0, 0, errors=1)
        elif job.job_type == "JSON_LISTINGS_FEED":
            result.update(self._listings_feed(job, source.content))
        else:
            result["summary"] = _summary(1, 1, 0)
        doc = Document("amzn1.tortuga.4.na.result-%s" % job.job_id,
                       json.dumps(result, indent=1).encode("utf-8"), None,
                       "application/json; charset=UTF-8")
        self.documents[doc.doc_id] = doc
        job.document_id = doc.doc_id

    def _listings_feed(self, job, content):
        """Apply JSON_LISTINGS_FEED quantity updates (fulfillment_availability) to FBM offers.

        A document that is no listings feed (not JSON, no header or messages) makes the feed
        FATAL, as do the feeds ``reject_listings_feeds`` asks to refuse; each invalid message
        (unknown SKU, a quantity that is no whole number >= 0) is one issue naming its
        messageId, the others are applied."""
        try:
            data = json.loads(content.decode("utf-8"))
            messages = data["messages"]
            if not isinstance(data.get("header"), dict) or not isinstance(messages, list):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            job.fatal = True
            return {"issues": [{"code": "InvalidJSON", "severity": "ERROR",
                                "message": "The feed is not valid JSON_LISTINGS_FEED JSON."}],
                    "summary": _summary(0, 0, 0, errors=1)}
        if getattr(self, "listings_feeds_to_reject", 0):
            self.listings_feeds_to_reject -= 1
            job.fatal = True
            return {"issues": [{"code": "InternalError", "severity": "ERROR",
                                "message": "The feed could not be processed. Submit it again."}],
                    "summary": _summary(0, 0, 0, errors=1)}
        issues, accepted, invalid = [], 0, 0
        codes = [MARKETPLACE_BY_ID[m].code for m in job.marketplace_ids if m in MARKETPLACE_BY_ID]
        for message in messages:
            issue = self._listing_message(message, codes)
            if issue:
                invalid += 1
                issues.append(dict(issue, messageId=(message or {}).get("messageId")
                                   if isinstance(message, dict) else None, severity="ERROR"))
            else:
                accepted += 1
        self.listings_feeds_applied = getattr(self, "listings_feeds_applied", 0) + 1
        return {"issues": issues, "summary": _summary(len(messages), accepted, invalid)}

    def _listing_message(self, message, codes):
        """Apply one message; return the issue (without messageId/severity) when invalid."""
        if not isinstance(message, dict):
            return {"code": "4000001", "message": "The message is not an object."}
        sku = message.get("sku")
        if not isinstance(sku, str) or not self.scenario.knows_sku(sku):
            return {"code": "18000",
                    "message": "SKU %s does not match any listing of this seller." % sku}
        quantities = []
        for patch in message.get("patches") or []:
            if isinstance(patch, dict) and patch.get("path") == "/attributes/fulfillment_availability":
                quantities += [value.get("quantity") for value in patch.get("value") or []
                               if isinstance(value, dict)
                               and value.get("fulfillment_channel_code", "DEFAULT") == "DEFAULT"]
        attrs = (message.get("attributes") or {}).get("fulfillment_availability") or []
        quantities += [value.get("quantity") for value in attrs if isinstance(value, dict)
                       and value.get("fulfillment_channel_code", "DEFAULT") == "DEFAULT"]
        for quantity in quantities:
            if quantity is not None and (type(quantity) is not int or quantity < 0):
                return {"code": "90220", "attributeName": "fulfillment_availability",
                        "message": "'quantity' must be a whole number of 0 or more (got %s)."
                                   % json.dumps(quantity)}
        if quantities and quantities[-1] is not None:
            for code in codes:
                self.scenario.listing_quantity[(code, sku)] = quantities[-1]
        return None
