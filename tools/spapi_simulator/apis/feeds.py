"""Feeds API 2021-06-30.  Feed jobs and documents are kept by `reports.Store` (its feed half
is feeds.FeedStore); this module is the HTTP face of it."""

from .base import Operation


def create_feed_document(sim, req):
    return 201, sim.store.create_feed_document(req.body)


def create_feed(sim, req):
    return 202, {"feedId": sim.store.create_feed(req.body, req.now).job_id}


def get_feed(sim, req):
    job = sim.store.feed(req.args["feedId"], req.now, poll=True)
    return 200, sim.store.feed_json(job, req.now)


def get_feeds(sim, req):
    types = req.many("feedTypes")
    feeds = [sim.store.feed_json(j, req.now) for j in sim.store.feeds.values()
             if not types or j.job_type in types]
    feeds.sort(key=lambda f: f["createdTime"], reverse=True)
    size = req.integer("pageSize", 10, 1, 100)
    return 200, {"feeds": feeds[:size]}


def get_feed_document(sim, req):
    return 200, sim.store.feed_document(req.args["feedDocumentId"])


OPERATIONS = [
    Operation("POST", "/feeds/2021-06-30/documents", "createFeedDocument", create_feed_document,
              0.5, 15),
    Operation("GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument",
              get_feed_document, 0.0222, 10),
    Operation("POST", "/feeds/2021-06-30/feeds", "createFeed", create_feed, 0.0083, 15),
    Operation("GET", "/feeds/2021-06-30/feeds", "getFeeds", get_feeds, 0.0222, 10),
    Operation("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed", get_feed, 2.0, 15),
]
