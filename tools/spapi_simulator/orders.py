"""The order model: an order's fixed facts, its lines and packages, and its state at any
simulated time (a pure function of "now" and of the mutations made through the API)."""

PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED = (
    "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED")


class Item:
    """One order line; all money in integer minor units of the order currency."""

    def __init__(self, item_id, sku, asin, title, qty, unit):
        self.item_id, self.sku, self.asin, self.title = item_id, sku, asin, title
        self.qty, self.unit = qty, unit
        self.shipping = self.gift = self.discount_item = self.discount_ship = 0
        self.tax_item = self.tax_ship = self.tax_gift = 0
        self.promotion_ids = []
        self.gift_message = None
        self.business_price = False

    @property
    def principal(self):
        return self.unit * self.qty

    @property
    def tax(self):
        return self.tax_item + self.tax_ship + self.tax_gift

    @property
    def total(self):
        return (self.principal + self.shipping + self.gift + self.tax
                - self.discount_item - self.discount_ship)


class Package:
    def __init__(self, reference, carrier, service, tracking, ship_time, stamp, quantities):
        self.reference, self.carrier, self.service = reference, carrier, service
        self.tracking, self.ship_time, self.stamp = tracking, ship_time, stamp
        self.quantities = quantities  # {orderItemId: qty}


class Order:
    """An order's fixed facts and schedule; its state at a time comes from `view(now)`."""

    def __init__(self, order_id, market, channel, created):
        self.order_id, self.market, self.channel, self.created = order_id, market, channel, created
        self.items = []
        self.unshipped_at = created + 600
        self.auto_ship_at = None        # FBA shipment, or FBM shipped via Seller Central
        self.cancel_at = None           # scheduled buyer cancellation
        self.cancel_reason = "BUYER_CANCELLED"
        self.refund_delay = None        # refund of one unit of the first line, after shipping
        self.replacement_of = None
        self.business = False
        self.buyer = {}
        self.address = {}
        self.tax_registration = None
        self.prime = False
        self.service_level = "STANDARD"
        self.packages = []              # confirmShipment mutations (and Seller Central ones)
        self.cancelled_by_api = None    # stamp of a cancellation made via the control API
        self.cancel_request = None      # (stamp, reason) of a buyer's cancellation request
        self.raw = None                 # replayed Orders 2026-01-01 JSON (--orders-file)
        self.raw_status = None
        self.raw_updated = None

    # -- schedule ---------------------------------------------------------------------------
    @property
    def currency(self):
        return self.market.currency

    def _timeline(self):
        """(time, status) events, in order, from the schedule and the mutations."""
        if self.raw is not None:
            events = [(self.created, self.raw_status)]
        else:
            events = [(self.created, PENDING)]
            first_ship = min([p.stamp for p in self.packages] + [self.auto_ship_at or float("inf")])
            cancel = self.cancel_at if (self.cancel_at is not None and self.cancel_at < first_ship) else None
            if cancel is not None and cancel <= self.unshipped_at:
                events.append((cancel, CANCELLED))
                return events
            events.append((self.unshipped_at, UNSHIPPED))
            if self.auto_ship_at is not None and (cancel is None or self.auto_ship_at < cancel):
                events.append((self.auto_ship_at, SHIPPED))
            if cancel is not None and not self.packages:
                events.append((cancel, CANCELLED))
        done = {}
        for pkg in sorted(self.packages, key=lambda p: p.stamp):
            for item_id, qty in pkg.quantities.items():
                done[item_id] = done.get(item_id, 0) + qty
            full = all(done.get(i.item_id, 0) >= i.qty for i in self.items)
            events.append((pkg.stamp, SHIPPED if full else PARTIALLY_SHIPPED))
        if self.cancelled_by_api is not None:
            events.append((self.cancelled_by_api, CANCELLED))
        events.sort(key=lambda e: e[0])
        return events

    def status(self, now):
        """(status, lastUpdatedTime) at `now`, or (None, None) when not yet created."""
        if now < self.created:
            return None, None
        status, updated = None, self.created
        for t, s in self._timeline():
            if t <= now:
                status, updated = s, t
        if self.raw_updated and self.raw is not None and self.raw_updated <= now:
            updated = max(updated, self.raw_updated)
        if self.cancel_request is not None and self.cancel_request[0] <= now:
            updated = max(updated, self.cancel_request[0])
        return status, updated

    def shipped_quantities(self, now):
        """{orderItemId: units shipped} at `now`."""
        status, _ = self.status(now)
        if status is None:
            return {}
        out = {}
        if self.raw is not None and status == SHIPPED and not self.packages:
            return {i.item_id: i.qty for i in self.items}
        if self.auto_ship_at is not None and self.auto_ship_at <= now and status == SHIPPED \
                and not self.packages:
            return {i.item_id: i.qty for i in self.items}
        for pkg in self.packages:
            if pkg.stamp <= now:
                for item_id, qty in pkg.quantities.items():
                    out[item_id] = out.get(item_id, 0) + qty
        return out

    def ship_events(self):
        """[(time, item, qty, shipment_id)] - every shipment ever (past or future)."""
        out = []
        if self.replacement_of:
            return out
        if self.raw is not None:
            if self.raw_status == SHIPPED and not self.packages:
                t = self.raw_updated or self.created
                out.extend((t, i, i.qty, "R" + self.order_id[-7:]) for i in self.items)
        elif self.auto_ship_at is not None and not self.packages:
            status_at_ship = self.status(self.auto_ship_at)[0]
            if status_at_ship == SHIPPED:
                out.extend((self.auto_ship_at, i, i.qty, "D" + self.order_id[-7:].replace("-", ""))
                           for i in self.items)
        by_id = {i.item_id: i for i in self.items}
        for n, pkg in enumerate(sorted(self.packages, key=lambda p: p.stamp)):
            for item_id, qty in pkg.quantities.items():
                out.append((pkg.stamp, by_id[item_id], qty,
                            "P%s%d" % (self.order_id[-7:], n + 1)))
        return out

    def refund_events(self):
        """[(time, item, qty, adjustment_id)]: one unit of the first line, when planned."""
        if self.refund_delay is None or not self.items:
            return []
        events = [e for e in self.ship_events() if e[1] is self.items[0]]
        if not events:
            return []
        return [(events[0][0] + self.refund_delay, self.items[0], 1,
                 "ADJ" + self.order_id.replace("-", "")[-9:])]
