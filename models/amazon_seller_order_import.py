from collections import Counter
from datetime import timedelta
import functools
import hashlib
import logging

import psycopg2

from odoo import Command, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_round

from .. import const
from ..exceptions import AmazonBadRequest, AmazonError
from ..formats.order_mapper import address_key, buyer_key, map_order, recipient_is_buyer
from ..utils import AmazonDataError, sale_vat_place, to_amazon_timestamp

_logger = logging.getLogger(__name__)

# Products standing for the order lines that are not goods.
CHARGE_PRODUCTS = {
    "shipping": "amazon_seller.product_amazon_shipping",
    "gift_wrap": "amazon_seller.product_amazon_gift_wrap",
    "promotion": "amazon_seller.product_amazon_promotion",
    "other": "amazon_seller.product_amazon_other",
    "tip": "amazon_seller.product_amazon_tip",
    "mf_tax": "amazon_seller.product_amazon_mf_tax",
}
# Base amount on which the ratio "with taxes / without taxes" of a line's taxes is measured.
FACTOR_BASE = 1_000_000.0
# What is expected to go wrong with one order (its data, Odoo's business rules): reported with
# its reason. Anything else is a bug: still isolated to its order, but logged with a traceback.
EXPECTED_ERRORS = (AmazonDataError, UserError, ValidationError)
# Failures of the transaction itself (serialization, locks, connection): not the order's fault;
# they end the run, which the next one redoes.
TRANSACTION_ERRORS = (psycopg2.OperationalError,)
# First synchronisation of an account: orders updated this many days back.
INITIAL_SYNC_DAYS = 7
# Failed orders retried per scheduled run (each retry is one getOrder call).
RETRIES_PER_RUN = 20


class AmazonSellerOrderImport(models.AbstractModel):
    """The orders flow: pages of Amazon orders become confirmed sales orders (the importer).

    A run reads searchOrders since the account's checkpoint, page by page, committing each
    stored page and saving the next one, then retries the orders that failed before. A page is
    created in batch — partners, orders, confirmation — inside one savepoint; when that fails,
    each order of the page is retried alone so that only the faulty ones are left out, recorded
    as synchronisation errors with their reason.
    """

    _name = "amazon.seller.order.import"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Order Importer"
    _flow = "orders"

    # === THE FLOW === #

    def _run(self, account, state, stats, commit):
        """Import the orders updated since the checkpoint, then retry the failed ones. The
        checkpoint becomes Amazon's upper bound of the window once every page is stored."""
        since = state.checkpoint or fields.Datetime.now() - timedelta(days=INITIAL_SYNC_DAYS)
        try:
            upper_bound, complete = self._import_window(
                account, {"lastUpdatedAfter": to_amazon_timestamp(since)}, stats, commit, state)
        except AmazonBadRequest as error:
            if state.resume_token:  # Amazon no longer knows the saved page: redo the window
                state._save_resume_point(False, False)
                error.heals_itself = True
            raise
        if complete and upper_bound:
            state.checkpoint = upper_bound
        if complete:
            self._retry_due(account, stats)
        return complete

    def _needs_person(self, account, state, error):
        return super()._needs_person(account, state, error) \
            and not getattr(error, "heals_itself", False)

    def _import_window(self, account, filters, stats, commit=None, state=None):
        """Page through searchOrders with ``filters`` and import every page.

        :param state: the flow state whose resume point the run starts at and saves after each
            stored page (the checkpoint's window only)
        :return: (Amazon's upper bound of the window, whether all pages were read)
        """
        token = state and state.resume_token or None
        upper_bound = state and state.resume_window or False
        pages = account._get_gateway().search_orders(
            filters, account.marketplace_ids.mapped("marketplace_id"), pagination_token=token)
        for page in pages:
            upper_bound = upper_bound or page.last_updated_before
            stats.update(self._import_orders(account, page.orders))
            if state:
                state._save_resume_point(page.next_token, upper_bound)
            remaining_time = commit() if commit else float("inf")
            if page.next_token and remaining_time <= 0:
                return upper_bound, False
        return upper_bound, True

    def _import_order_refs(self, account, order_refs, stats=None):
        """Fetch the given orders one by one (getOrder) and import them."""
        stats = Counter() if stats is None else stats
        gateway = account._get_gateway()
        orders, failures = [], {}
        for ref in order_refs:
            try:
                orders.append(gateway.get_order(ref))
            except AmazonBadRequest as error:
                failures[ref] = account._describe_amazon_error(error)
        self.env["amazon.seller.sync.error"]._record(account, self._flow, failures)
        stats["failed"] += len(failures)
        stats.update(self._import_orders(account, orders))
        return stats

    def _retry_due(self, account, stats):
        due = self.env["amazon.seller.sync.error"]._due(account, self._flow, RETRIES_PER_RUN)
        if due:
            self._import_order_refs(account, due.mapped("amazon_ref"), stats)

    def _retry_errors(self, account, errors):
        """Fetch the orders of ``errors`` again now and import them, under the flow's lock (as
        superuser: importing writes sales, stock and partners, which an Amazon manager need not
        manage otherwise)."""
        with self._locked(account):
            self.sudo()._import_order_refs(account.sudo(), errors.mapped("amazon_ref"))

    # === A PAGE === #

    @api.model
    def _import_orders(self, account, amazon_orders):
        """Import one page of Amazon orders for ``account``; return a Counter of what happened."""
        stats, failures, unretryable, mapped = Counter(), {}, set(), []
        sold_on = set(account.marketplace_ids.mapped("marketplace_id"))
        for order in amazon_orders:
            ref, has_id = self._order_ref(order)
            if not has_id:
                unretryable.add(ref)  # nothing to ask Amazon again for: reported once
            try:
                values = map_order(order)
            except Exception as error:  # noqa: BLE001 - the mapper's bugs are isolated too
                failures[ref] = self._order_failure(ref, error)
                continue
            if values["marketplace_id"] not in sold_on:
                failures[ref] = self.env._(
                    "Order %(order)s is sold on marketplace %(marketplace)s, which is not one of "
                    "the marketplaces of %(account)s: it is not imported.", order=ref,
                    marketplace=values["marketplace_name"] or values["marketplace_id"],
                    account=account.name)
                continue
            mapped.append(values)
        existing = self._existing_orders(account, [m["order_ref"] for m in mapped])
        to_create, imported = [], set()
        for values in mapped:
            order = existing.get(values["order_ref"])
            if order and order.amazon_last_update and values["last_updated"] <= order.amazon_last_update:
                stats["skipped"] += 1
                imported.add(values["order_ref"])  # up to date: nothing left to retry
            elif order:
                self._update_one(account, order, values, stats, failures, imported)
            elif values["status"] in const.IMPORTABLE_STATUSES[values["channel"]]:
                to_create.append(values)
            else:
                stats["skipped"] += 1  # pending, cancelled before import, FBA not shipped yet
                imported.add(values["order_ref"])  # nothing to import (yet): nothing to retry
        self._create_in_batch(account, to_create, stats, failures, imported)
        SyncError = self.env["amazon.seller.sync.error"]
        SyncError._record(account, self._flow, failures, unretryable=unretryable)
        SyncError._resolve(account, self._flow, imported)
        stats["failed"] += len(failures)
        return stats

    @staticmethod
    def _order_ref(order):
        """(the reference an order's failures are recorded under, whether it is Amazon's id):
        its orderId, else a stable fingerprint of the data so that it is reported once."""
        order_id = order.get("orderId") if isinstance(order, dict) else None
        if isinstance(order_id, str) and order_id.strip():
            return order_id.strip()[:64], True
        fingerprint = hashlib.sha1(repr(order).encode()).hexdigest()[:12]
        return f"(no order id) {fingerprint}", False

    def _order_failure(self, order_ref, error):
        """The sentence recorded for an order that failed to import."""
        return self.env._("Order %(order)s: %(reason)s", order=order_ref,
                          reason=self._failure_reason(order_ref, error, EXPECTED_ERRORS))

    # === CREATION === #

    def _create_in_batch(self, account, to_create, stats, failures, imported):
        if not to_create:
            return
        try:
            with self.env.cr.savepoint():
                self._create_orders(account, to_create)
        except TRANSACTION_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - isolate the faulty orders
            if len(to_create) == 1:
                ref = to_create[0]["order_ref"]
                failures[ref] = self._order_failure(ref, error)
                return
            _logger.info("Amazon account %s: a page failed in batch (%s), importing one by one",
                         account.id, error)
            for values in to_create:
                self._create_in_batch(account, [values], stats, failures, imported)
            return
        stats["created"] += len(to_create)
        imported.update(values["order_ref"] for values in to_create)

    def _create_orders(self, account, to_create):
        """Create, confirm and (for FBA or already shipped FBM orders) deliver the orders."""
        env = self.env
        partners = self._find_or_create_partners(account, to_create)
        companies = self._find_or_create_business_buyers(to_create)
        offers = env["amazon.seller.offer"]._find_or_create(account, {
            (self._marketplace(values).id, line["sku"], values["channel"])
            for values in to_create for line in values["lines"] if line["kind"] == "product"
        })
        pricing = _Pricing(env, account.company_id)
        order_values = [
            self._prepare_order(account, values, partners[values["order_ref"]], offers, pricing,
                                companies.get(values["order_ref"]))
            for values in to_create
        ]
        orders = env["sale.order"].with_context(
            mail_create_nolog=True, mail_notrack=True, tracking_disable=True,
        ).create(order_values)
        self._add_rounding_lines(orders, to_create)
        if pricing.undecided_distance_sale:
            account._ask_about_distance_sales()
        orders._amazon_link_replacements()
        waiting = orders.filtered("amazon_awaiting_mapping")
        self._confirm_imported(orders - waiting)
        orders._message_log_batch(bodies={order.id: self.env._(
            "Imported from Amazon %(order)s (%(marketplace)s).", order=order.amazon_order_ref,
            marketplace=order.amazon_marketplace_id.name) for order in orders - waiting})
        waiting._message_log_batch(bodies={order.id: self.env._(
            "Imported from Amazon %(order)s (%(marketplace)s): it waits as a quotation until "
            "its SKUs %(skus)s are mapped to products.", order=order.amazon_order_ref,
            marketplace=order.amazon_marketplace_id.name,
            skus=", ".join(order.order_line.amazon_offer_id.filtered(
                lambda o: not o.product_id).mapped("sku"))) for order in waiting})
        waiting.order_line.amazon_offer_id._ask_for_mapping()
        self._attach_customizations(account, orders.order_line.filtered("amazon_customized_url"))

    def _confirm_imported(self, orders):
        """Confirm Amazon's orders as Amazon sold them (locked: nobody edits them in Odoo) and
        record the goods that already left (FBA orders, FBM orders first seen shipped): at
        import, or once the last SKU an order waited for is mapped."""
        if not orders:
            return
        orders._amazon_apply_review_rules()  # before anything is reserved for them
        # first confirmation: no delivery of theirs exists to add their moves to
        orders.with_context(amazon_first_confirmation=True).action_confirm()
        orders.action_lock()
        self._deliver_at_once(orders.filtered(
            lambda o: o.amazon_fulfillment_channel == "fba" or o.amazon_status == "SHIPPED"))

    def _prepare_order(self, account, values, partner_pair, offers, pricing, business=None):
        marketplace = self._marketplace(values)
        buyer, delivery = partner_pair
        invoiced = business or buyer
        company = account.company_id
        warehouse = marketplace.with_company(company).warehouse_id or account.warehouse_id
        # tax Amazon collects is the sale's only tax: none of the company's on top
        fiscal_position = (account.sudo()._ensure_tax_collected_fiscal_position()
                           if values["tax_collected_by_amazon"]
                           else pricing.sale_position(
                               invoiced, delivery,
                               self._ship_from(account, values, marketplace, warehouse)))
        lines = []
        unmapped = self.env.ref("amazon_seller.product_amazon_placeholder")
        awaiting = False
        for line in values["lines"]:
            if line["kind"] == "product":
                offer = offers[(marketplace.id, line["sku"], values["channel"])]
                # an SKU nobody mapped yet holds the order as a quotation, its line on a
                # stand-in product that the mapping replaces (see _complete_mapped_lines)
                product = offer.product_id or unmapped
                awaiting = awaiting or not offer.product_id
                name = f"[{line['sku']}] {line['title']}"
                extra = {"amazon_order_item_id": line["item_id"], "amazon_offer_id": offer.id,
                         "amazon_gift_message": line["gift_message"] or False,
                         "amazon_customized_url": line["customized_url"] or False,
                         "amazon_serial_numbers": "\n".join(line.get("serial_numbers") or [])
                         or False}
            else:
                product = self.env.ref(CHARGE_PRODUCTS[line["kind"]])
                name = self._charge_line_name(line)
                extra = {}
            taxes = pricing.taxes(product, fiscal_position)
            lines.append(Command.create({
                "product_id": product.id,
                "name": name,
                "product_uom_qty": line["quantity"],
                "price_unit": pricing.price_unit(line["gross"], line["quantity"], taxes, product),
                "discount": 0.0,  # Amazon's price is final: no pricelist discount on top
                "tax_ids": [Command.set(taxes.ids)],
                **extra,
            }))
        currency = pricing.currency(values["currency"])
        return {
            "partner_id": buyer.id,
            "partner_invoice_id": invoiced.id,
            "partner_shipping_id": delivery.id,
            "company_id": company.id,
            "pricelist_id": pricing.pricelist(currency).id,
            "fiscal_position_id": fiscal_position.id,
            "team_id": (marketplace.with_company(company).team_id or account.team_id).id,
            "user_id": account.salesperson_id.id,
            "warehouse_id": warehouse.id,
            "date_order": values["created"] or fields.Datetime.now(),
            "client_order_ref": values["order_ref"],
            "origin": self.env._("Amazon %(marketplace)s", marketplace=marketplace.domain),
            "amazon_account_id": account.id,
            "amazon_order_ref": values["order_ref"],
            "amazon_marketplace_id": marketplace.id,
            "amazon_fulfillment_channel": values["channel"],
            "amazon_status": values["status"],
            "amazon_last_update": values["last_updated"],
            "amazon_ship_by": values["ship_by"],
            "amazon_deliver_by": values["deliver_by"],
            "amazon_is_prime": values["is_prime"],
            "amazon_is_business": values["is_business"],
            "amazon_purchase_order_number": values["purchase_order_number"],
            "amazon_replaced_order_ref": values["replaced_order_ref"],
            "amazon_promotion_ids": ", ".join(values["promotion_ids"]) or False,
            "amazon_cancel_request": values["cancel_request"],
            "amazon_awaiting_mapping": awaiting,
            "order_line": lines,
        }

    @staticmethod
    def _ship_from(account, values, marketplace, warehouse):
        """The country an order's goods leave from, where the EU taxes a sale: for FBA the
        marketplace's own country when the account keeps each marketplace's FBA stock apart
        (stock held in that country's fulfilment centres; the Orders API does not say which
        centre shipped), the company's otherwise; for FBM the warehouse's."""
        home = account.company_id.account_fiscal_country_id
        if values["channel"] == "fba":
            return marketplace.country_id if account.fba_location_per_marketplace else home
        return warehouse.partner_id.country_id or home

    def _attach_customizations(self, account, lines):
        """Amazon Custom items: download each personalisation file and attach it to its order,
        so that the workshop has it; what cannot be downloaded now becomes an activity."""
        if not lines:
            return
        gateway = account._get_gateway()
        attachments = []
        for line in lines:
            try:
                content = gateway.download_document(line.amazon_customized_url)
            except AmazonError as error:
                account._schedule_activity(
                    line.order_id, self.env._("Download the Amazon Custom personalisation"),
                    self.env._("The personalisation of %(product)s could not be downloaded "
                               "(%(error)s): open %(url)s from the order line.",
                               product=line.name, error=error.message,
                               url=line.amazon_customized_url))
                continue
            attachments.append({
                "name": f"{line.order_id.amazon_order_ref}-{line.amazon_order_item_id}-customization.zip",
                "raw": content, "res_model": "sale.order", "res_id": line.order_id.id,
            })
        self.env["ir.attachment"].create(attachments)

    def _charge_line_name(self, line):
        names = {
            "shipping": self.env._("Amazon shipping"),
            "gift_wrap": self.env._("Amazon gift wrap"),
            "promotion": self.env._("Amazon promotion"),
            "other": self.env._("Amazon other charges"),
            "tip": self.env._("Amazon delivery tip"),
            "mf_tax": self.env._("Tax collected by Amazon (marketplace facilitator)"),
        }
        details = line.get("details") or []
        if line["kind"] == "gift_wrap" and details:
            return self.env._("%(name)s — gift message: %(messages)s",
                              name=names["gift_wrap"], messages=" / ".join(details))
        if details:
            return f"{names[line['kind']]} ({', '.join(details)})"
        return names[line["kind"]]

    def _add_rounding_lines(self, orders, to_create):
        """Make each order's total Amazon's to the cent with a tax-free line for the difference."""
        product = self.env.ref("amazon_seller.product_amazon_rounding")
        totals = {values["order_ref"]: float(values["grand_total"]) for values in to_create}
        lines = []
        for order in orders:
            difference = order.currency_id.round(totals[order.amazon_order_ref] - order.amount_total)
            if not order.currency_id.is_zero(difference):
                lines.append({
                    "order_id": order.id, "product_id": product.id,
                    "name": self.env._("Amazon rounding"), "product_uom_qty": 1,
                    "price_unit": difference, "tax_ids": [Command.clear()],
                })
        if lines:
            self.env["sale.order.line"].create(lines)

    # === ORDERS AWAITING SKU MAPPING === #

    def _complete_mapped_lines(self, offers):
        """The ``offers`` got their product: the lines of the orders waiting for them take it
        (the order's total stays Amazon's to the cent), and the orders no other SKU holds are
        confirmed as the import confirms them. An order that cannot be confirmed keeps waiting,
        the reason in its chatter."""
        unmapped = self.env.ref("amazon_seller.product_amazon_placeholder")
        lines = self.env["sale.order.line"].search([
            ("amazon_offer_id", "in", offers.ids), ("product_id", "=", unmapped.id),
            ("order_id.amazon_awaiting_mapping", "=", True), ("order_id.state", "=", "draft")])
        if lines:
            self._complete_in_batch(lines.order_id, lines, unmapped)

    def _complete_in_batch(self, orders, lines, unmapped):
        try:
            with self.env.cr.savepoint():
                self._complete_orders(orders, lines, unmapped)
        except TRANSACTION_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - isolate the faulty orders
            if len(orders) > 1:
                for order in orders:
                    self._complete_in_batch(order, lines.filtered(
                        lambda l, order=order: l.order_id == order), unmapped)
                return
            orders.message_post(body=self.env._(
                "The mapped SKUs could not complete this order: %(reason)s",
                reason=self._failure_reason(orders.amazon_order_ref, error, EXPECTED_ERRORS)))

    def _complete_orders(self, orders, lines, unmapped):
        for order in orders:
            self._complete_lines(order, lines.filtered(lambda l, order=order: l.order_id == order))
        ready = orders.filtered(lambda o: unmapped not in o.order_line.product_id)
        ready.amazon_awaiting_mapping = False
        self._confirm_imported(ready)
        ready._message_log_batch(bodies={order.id: self.env._(
            "Its SKUs are mapped: the Amazon order is confirmed.") for order in ready})

    def _complete_lines(self, order, lines):
        """Put each line's mapped product in, with its taxes, at the price that keeps Amazon's
        amount; a rounding line keeps the order's total."""
        grand_total = order.amount_total
        pricing = _Pricing(self.env, order.company_id)
        for line, gross in [(line, line.price_total) for line in lines]:
            product = line.amazon_offer_id.product_id
            taxes = pricing.taxes(product, order.fiscal_position_id)
            line.write({
                "product_id": product.id, "name": line.name,
                "product_uom_id": product.uom_id.id,
                "price_unit": pricing.price_unit(gross, line.product_uom_qty, taxes, product),
                "discount": 0.0, "tax_ids": [Command.set(taxes.ids)],
            })
        order.order_line.filtered(
            lambda l: l.product_id == self.env.ref("amazon_seller.product_amazon_rounding")).unlink()
        self._add_rounding_lines(order, [{"order_ref": order.amazon_order_ref,
                                          "grand_total": grand_total}])

    # === DELIVERY AT ONCE (FBA, and FBM orders first seen shipped) === #

    def _deliver_at_once(self, orders):
        """Record, in one batch, that the goods of ``orders`` already left: FBA orders from their
        account's FBA location, FBM orders already shipped on Amazon from their delivery.
        Lot/serial-tracked goods take first the serial numbers Amazon names when the location
        holds them, then the lots available there (removal strategy); what no lot covers stays
        open for a person, with an activity, rather than inventing lots."""
        if not orders:
            return
        fba = orders.filtered(lambda o: o.amazon_fulfillment_channel == "fba")
        moves = self._create_fba_moves(fba) | (orders - fba).picking_ids.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel"))
        moves.filtered(lambda m: m.sale_line_id.amazon_serial_numbers
                       and m.product_id.tracking != "none")._amazon_take_serial_numbers()
        moves._action_assign()
        uncovered = moves.filtered(
            lambda m: m.product_id.tracking != "none" and m.quantity < m.product_uom_qty)
        for move in moves.filtered(lambda m: m.product_id.tracking == "none"):
            move.quantity = move.product_uom_qty
        done = moves - uncovered
        done.picked = True
        done._action_done()
        # the goods left when Amazon says so, not when Odoo heard of it (invoices are dated so)
        for order, order_moves in done.grouped(lambda m: m.sale_line_id.order_id).items():
            if order.amazon_last_update:
                order_moves.write({"date": order.amazon_last_update})
                order_moves.move_line_ids.write({"date": order.amazon_last_update})
        # moves done outside their picking's own validation leave its date empty
        for picking in done.picking_id.filtered(lambda p: p.state == "done" and not p.date_done):
            picking.date_done = picking.sale_id.amazon_last_update or fields.Datetime.now()
        for order, order_moves in uncovered.grouped(lambda m: m.sale_line_id.order_id).items():
            order.amazon_account_id._schedule_activity(
                order,
                summary=self.env._("Choose the lots Amazon shipped"),
                note=self.env._(
                    "Amazon shipped %(products)s of order %(order)s, but the location holds too "
                    "few lots or serial numbers for them: complete the remaining moves by hand.",
                    products=", ".join(order_moves.product_id.mapped("display_name")),
                    order=order.amazon_order_ref),
            )

    def _create_fba_moves(self, orders):
        orders.amazon_account_id._ensure_fba_location()
        customer = self.env.ref("stock.stock_location_customers")
        moves = self.env["stock.move"].create([{
            "product_id": line.product_id.id,
            "product_uom_qty": line.product_uom_qty,
            "product_uom": line.product_uom_id.id,
            "location_id": order.amazon_account_id._fba_location(order.amazon_marketplace_id).id,
            "location_dest_id": customer.id,
            "partner_id": order.partner_shipping_id.id,
            "sale_line_id": line.id,
            "company_id": order.company_id.id,
            "origin": f"{order.name} ({order.amazon_order_ref})",
        } for order in orders for line in order.order_line if line.product_id.type == "consu"])
        moves._action_confirm()
        return moves

    # === UPDATES === #

    def _update_one(self, account, order, values, stats, failures, imported):
        try:
            with self.env.cr.savepoint():
                self._update_order(order, values)
        except TRANSACTION_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - isolate the faulty order
            failures[values["order_ref"]] = self._order_failure(values["order_ref"], error)
            return
        stats["updated"] += 1
        imported.add(values["order_ref"])

    def _update_order(self, order, values):
        """Follow Amazon's changes: status, dates, names completed, cancellation. Only what
        changed is written: an unchanged order takes no lock another transaction may need."""
        changes = {name: value for name, value in {
            "amazon_status": values["status"],
            "amazon_last_update": values["last_updated"],
            "amazon_ship_by": values["ship_by"],
            "amazon_deliver_by": values["deliver_by"],
            "amazon_cancel_request": values.get("cancel_request", False),
        }.items() if order[name] != value}
        if changes:
            order.write(changes)
            if changes.get("amazon_cancel_request"):
                order._amazon_tell_cancel_request()
        self._complete_names(order, values)
        self._refresh_order_level_charges(order, values)
        if values["status"] == "CANCELLED" and order.state != "cancel":
            self._cancel(order)

    def _draft_credit_notes(self, order):
        """Draft credit notes reversing the order's posted invoices."""
        invoices = order.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_invoice")
        if not invoices:
            return self.env["account.move"]
        return invoices._reverse_moves([{
            "ref": self.env._("Cancelled on Amazon: %(order)s", order=order.amazon_order_ref),
        } for _invoice in invoices])

    def _refresh_order_level_charges(self, order, values):
        """A delivery tip appears or changes after the order (PENDING → FINALIZED): its line
        follows while the order is not invoiced, and the total stays Amazon's to the cent."""
        kinds = set(const.ORDER_LEVEL_CHARGE_KINDS.values())
        wanted = {line["kind"]: line for line in values["lines"] if line["kind"] in kinds}
        current = {kind: order.order_line.filtered(
            lambda l, kind=kind: l.product_id == self.env.ref(CHARGE_PRODUCTS[kind]))[:1]
            for kind in kinds}
        stale = {kind for kind, line in wanted.items() if not current[kind]
                 or order.currency_id.compare_amounts(current[kind].price_total, float(line["gross"]))
                 or current[kind].name != self._charge_line_name(line)}
        if not stale or order.invoice_ids.filtered(lambda move: move.state == "posted"):
            return
        locked = order.locked
        order.locked = False
        for kind in stale:
            line_values = {"name": self._charge_line_name(wanted[kind]),
                           "price_unit": float(wanted[kind]["gross"]), "tax_ids": [Command.clear()]}
            if current[kind]:
                current[kind].write(line_values)
            else:
                self.env["sale.order.line"].create({
                    "order_id": order.id, "product_uom_qty": 1,
                    "product_id": self.env.ref(CHARGE_PRODUCTS[kind]).id, **line_values})
        order.order_line.filtered(
            lambda l: l.product_id == self.env.ref("amazon_seller.product_amazon_rounding")).unlink()
        self._add_rounding_lines(order, [values])
        order.locked = locked

    def _cancel(self, order):
        """Cancel the order and its open deliveries; never what already left the warehouse:
        then a person checks with the buyer, and an invoice already posted gets a draft credit
        note to confirm."""
        if any(move.state == "done" for move in order.order_line.move_ids):
            credit_notes = self._draft_credit_notes(order)
            order.amazon_account_id._schedule_activity(
                order,
                summary=self.env._("Amazon cancelled a shipped order"),
                note=self.env._(
                    "Amazon reports order %(order)s as cancelled, but goods have already been "
                    "delivered: check with the buyer whether they come back.%(credit)s",
                    order=order.amazon_order_ref,
                    credit=credit_notes and self.env._(
                        " A draft credit note (%(names)s) waits for your confirmation.",
                        names=", ".join(credit_notes.mapped("display_name"))) or ""),
            )
            return
        order._action_cancel()
        order.amazon_awaiting_mapping = False
        order.message_post(body=self.env._("Cancelled on Amazon."))

    def _complete_names(self, order, values):
        name = values["buyer"]["name"] or values["address"]["name"]
        if name and order.partner_id.amazon_placeholder_name:
            order.partner_id.write({"name": name, "amazon_placeholder_name": False})
        shipping = order.partner_shipping_id
        if values["address"]["name"] and shipping.amazon_placeholder_name:
            shipping.write({"name": values["address"]["name"], "amazon_placeholder_name": False})

    # === PARTNERS === #

    def _find_or_create_partners(self, account, to_create):
        """Return {order_ref: (buyer, delivery address)}: the buyer found again by its key, the
        delivery address a child of the buyer found again by its address fingerprint."""
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        geo = _Geography(self.env)
        buyer_keys = {values["order_ref"]: buyer_key(values) for values in to_create}
        buyers = {p.amazon_buyer_key: p for p in Partner.search(
            [("amazon_buyer_key", "in", list(set(buyer_keys.values())))])}
        new_buyers = {}
        for values in to_create:
            key = buyer_keys[values["order_ref"]]
            if key not in buyers and key not in new_buyers:
                new_buyers[key] = self._buyer_values(values, key, geo)
        if new_buyers:
            created = Partner.create(list(new_buyers.values()))
            buyers.update(zip(new_buyers, created))
        self._complete_buyers(buyers, buyer_keys, to_create)
        return self._find_or_create_deliveries(Partner, buyers, buyer_keys, to_create, geo)

    def _find_or_create_deliveries(self, Partner, buyers, buyer_keys, to_create, geo):
        """The delivery partner of each order: the buyer itself when the parcel goes to the
        buyer at the buyer's own address (never a child contact "Léa Taylor, Léa Taylor"),
        otherwise the buyer's child delivery contact for that recipient and address, found
        again by its fingerprint (the recipient's name included)."""
        address_keys = {values["order_ref"]: address_key(values["address"]) for values in to_create}
        self._adopt_own_addresses(buyers, buyer_keys, to_create, address_keys, geo)
        parents = Partner.browse({p.id for p in buyers.values()})
        deliveries = {(p.parent_id.id, p.amazon_address_key): p for p in Partner.search([
            ("parent_id", "in", parents.ids), ("type", "=", "delivery"),
            ("amazon_address_key", "in", list(set(address_keys.values()))),
        ])}
        own, keys, new_deliveries = {}, {}, {}
        for values in to_create:
            ref = values["order_ref"]
            buyer = buyers[buyer_keys[ref]]
            keys[ref] = key = (buyer.id, address_keys[ref])
            if recipient_is_buyer(values) and buyer.amazon_address_key == key[1]:
                own[ref] = buyer
            elif key not in deliveries and key not in new_deliveries:
                new_deliveries[key] = self._delivery_values(values, buyer, key[1], geo)
        if new_deliveries:
            companies = [values.pop("company_name") for values in new_deliveries.values()]
            created = Partner.create(list(new_deliveries.values()))
            deliveries.update(zip(new_deliveries, created))
            # Odoo empties the company name of a contact created under a parent: the label
            # needs the recipient's, written afterwards
            for partner, company in zip(created, companies):
                if company:
                    partner.company_name = company
        return {ref: (buyers[buyer_keys[ref]], own.get(ref) or deliveries[key])
                for ref, key in keys.items()}

    def _adopt_own_addresses(self, buyers, buyer_keys, to_create, address_keys, geo):
        """A buyer first seen sending a gift has no address of its own: the first order the
        buyer has delivered to itself gives it one."""
        for values in to_create:
            buyer = buyers[buyer_keys[values["order_ref"]]]
            if not buyer.amazon_address_key and recipient_is_buyer(values):
                buyer.write({"amazon_address_key": address_keys[values["order_ref"]],
                             **self._own_address_values(values, geo)})

    def _find_or_create_business_buyers(self, to_create):
        """{order_ref: company partner} of the business orders whose buyer gave Amazon a tax
        registration: their invoices go to that company, with its VAT number."""
        numbers = {values["order_ref"]: values["buyer_tax"]["number"]
                   for values in to_create if values.get("buyer_tax")}
        if not numbers:
            return {}
        # Amazon checked the registration: a localisation's format check (base_vat) must not
        # fail the order over a number written as Amazon gives it
        Partner = self.env["res.partner"].with_context(tracking_disable=True, no_vat_validation=True)
        found = {p.vat: p for p in Partner.search(
            [("vat", "in", list(set(numbers.values()))), ("is_company", "=", True)])}
        geo = _Geography(self.env)
        for values in to_create:
            number = numbers.get(values["order_ref"])
            if number and number not in found:
                found[number] = Partner.create({
                    "name": values["buyer_tax"]["legal_name"] or values["buyer"]["company_name"]
                    or number,
                    "is_company": True, "vat": number, "amazon_buyer_key": f"vat:{number}",
                    "customer_rank": 1, **geo.address_values(values["address"]),
                })
        return {ref: found[number] for ref, number in numbers.items()}

    def _buyer_values(self, values, key, geo):
        """The invoiced buyer. The delivery address is the buyer's own only when the recipient
        is the buyer; a gift's recipient lends it nothing but the country (for the invoice)."""
        buyer, address = values["buyer"], values["address"]
        name = buyer["name"] or address["name"]
        own = recipient_is_buyer(values)
        return {
            "name": name or self._placeholder_name(values),
            "amazon_placeholder_name": not name,
            "amazon_buyer_key": key,
            "amazon_address_key": own and address_key(address),
            "email": buyer["email"] or False,
            "company_name": buyer["company_name"] or own and address["company_name"] or False,
            "customer_rank": 1,
            **(self._own_address_values(values, geo) if own
               else {"country_id": geo.country(address["country_code"]).id}),
        }

    def _own_address_values(self, values, geo):
        """The address (and the phone Amazon gives with it) of a buyer who receives the parcel."""
        return {"phone": values["address"]["phone"] or False,
                **geo.address_values(values["address"])}

    def _delivery_values(self, values, buyer, key, geo):
        address = values["address"]
        return {
            "parent_id": buyer.id,
            "type": "delivery",
            "name": address["name"] or buyer.name,
            "amazon_placeholder_name": not address["name"] and buyer.amazon_placeholder_name,
            "amazon_address_key": key,
            "company_name": address["company_name"] or False,
            "phone": address["phone"] or False,
            **geo.address_values(address),
        }

    def _complete_buyers(self, buyers, buyer_keys, to_create):
        for values in to_create:
            buyer = buyers[buyer_keys[values["order_ref"]]]
            name = values["buyer"]["name"] or values["address"]["name"]
            if name and buyer.amazon_placeholder_name:
                buyer.write({"name": name, "amazon_placeholder_name": False})

    def _placeholder_name(self, values):
        return self.env._("Amazon customer (%(marketplace)s, order %(order)s)",
                          marketplace=values["marketplace_name"] or values["marketplace_id"],
                          order=values["order_ref"])

    # === HELPERS === #

    def _existing_orders(self, account, order_refs):
        if not order_refs:
            return {}
        orders = self.env["sale.order"].search([
            ("amazon_account_id", "=", account.id), ("amazon_order_ref", "in", list(order_refs)),
        ])
        return {order.amazon_order_ref: order for order in orders}

    def _marketplace(self, values):
        marketplace_id = self._marketplace_ids().get(values["marketplace_id"])
        if not marketplace_id:
            raise AmazonDataError(self.env._("marketplace %(marketplace)s is unknown to Odoo",
                                             marketplace=values["marketplace_id"]))
        return self.env["amazon.seller.marketplace"].browse(marketplace_id)

    @api.model
    @tools.ormcache()
    def _marketplace_ids(self):
        """{Amazon marketplace id: record id}; cleared when marketplaces change."""
        marketplaces = self.env["amazon.seller.marketplace"].sudo().with_context(
            active_test=False).search_fetch([], ["marketplace_id"])
        return {m.marketplace_id: m.id for m in marketplaces}


class _Pricing:
    """Per-batch caches for what every order line needs: currency, pricelist, fiscal position,
    taxes and the price that gives Amazon's amount once Odoo adds the taxes."""

    def __init__(self, env, company):
        self.env = env
        self.company = company
        self._currencies, self._pricelists, self._fiscal_positions = {}, {}, {}
        self._taxes, self._factors = {}, {}
        # an EU distance sale was imported before the company said how they are taxed
        self.undecided_distance_sale = False
        self.digits = env["decimal.precision"].precision_get("Product Price")

    def currency(self, code):
        if code not in self._currencies:
            currency = self.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", code)], limit=1)
            if not currency:
                raise AmazonDataError(self.env._("currency %(currency)s is unknown to Odoo",
                                                 currency=repr(code)))
            if not currency.active:
                currency.sudo().active = True
            self._currencies[code] = currency
        return self._currencies[code]

    def pricelist(self, currency):
        if currency not in self._pricelists:
            Pricelist = self.env["product.pricelist"]
            pricelist = Pricelist.search([
                ("currency_id", "=", currency.id), ("company_id", "in", [self.company.id, False]),
            ], limit=1) or Pricelist.create({
                "name": self.env._("Amazon (%(currency)s)", currency=currency.name),
                "currency_id": currency.id, "company_id": self.company.id,
            })
            self._pricelists[currency] = pricelist
        return self._pricelists[currency]

    def sale_position(self, invoiced, delivery, ship_from):
        """The fiscal position of a sale to ``delivery`` shipped from country ``ship_from``,
        by the EU's place of supply (see ``sale_vat_place``): the company's VAT number abroad,
        Odoo's One-Stop-Shop position of the buyer's country, or Odoo's own choice."""
        company = self.company
        consumer = not invoiced.vat
        destination = delivery.country_id
        how, where = sale_vat_place(
            company.account_fiscal_country_id.code, ship_from.code, destination.code, consumer,
            self.eu_codes, company.amazon_eu_distance_sales)
        if company.amazon_eu_distance_sales == "ask" and sale_vat_place(
                company.account_fiscal_country_id.code, ship_from.code, destination.code,
                consumer, self.eu_codes, "oss")[0] == "oss":
            self.undecided_distance_sale = True
        if how == "registered":
            return self._registered_position(ship_from, destination)
        if how == "oss":
            return self._oss_position(destination)
        found = self.fiscal_position(invoiced, delivery)
        if how == "home" and found in self.oss_positions:
            # below the threshold the One-Stop-Shop positions Odoo would apply do not
            found = (self.env["account.fiscal.position"].with_company(company).search(
                [*found._check_company_domain(company), ("auto_apply", "=", True)])
                - self.oss_positions)._get_first_matching_fpos(delivery)
        return found

    @functools.cached_property
    def eu_codes(self):
        return set(self.env.ref("base.europe").country_ids.mapped("code"))

    @functools.cached_property
    def oss_positions(self):
        return self.company._amazon_oss_positions()

    def _registered_position(self, country, destination):
        position = self.company._amazon_registered_position(country)
        if position:
            return position
        if destination == country:
            raise UserError(self.env._(
                "it ships from stock in %(country)s to a buyer in %(country)s: a sale in "
                "%(country)s, which bears its VAT under your VAT number there. Add the fiscal "
                "position of that number (Accounting ▸ Configuration ▸ Fiscal Positions: "
                "country %(country)s, Foreign Tax ID) with its taxes; the order is imported "
                "at the next run.", country=country.name))
        raise UserError(self.env._(
            "it ships from stock in %(country)s to a consumer in %(destination)s: below the "
            "EU threshold it bears the VAT of %(country)s under your VAT number there. Add the "
            "fiscal position of that number (Accounting ▸ Configuration ▸ Fiscal Positions: "
            "country %(country)s, Foreign Tax ID) with its taxes, or choose the One-Stop-Shop "
            "for EU distance sales in Settings ▸ Amazon; the order is imported at the next run.",
            country=country.name, destination=destination.name))

    def _oss_position(self, country):
        position = self.oss_positions.filtered(lambda p: p.country_id == country)[:1]
        if not position:
            raise UserError(self.env._(
                "it is a distance sale to a consumer in %(country)s, taxed there through the "
                "One-Stop-Shop, but the company has no OSS fiscal position for %(country)s. "
                "Press OSS Tax Mapping in Settings ▸ Accounting (or choose the One-Stop-Shop "
                "again in Settings ▸ Amazon); the order is imported at the next run.",
                country=country.name))
        return position

    def fiscal_position(self, buyer, delivery):
        key = (delivery.country_id.id, delivery.state_id.id, delivery.zip, buyer.vat,
               buyer.property_account_position_id.id, delivery.property_account_position_id.id)
        if key not in self._fiscal_positions:
            self._fiscal_positions[key] = self.env["account.fiscal.position"].with_company(
                self.company)._get_fiscal_position(buyer, delivery=delivery)
        return self._fiscal_positions[key]

    def taxes(self, product, fiscal_position):
        key = (product.id, fiscal_position.id)
        if key not in self._taxes:
            taxes = product.taxes_id._filter_taxes_by_company(self.company)
            self._taxes[key] = fiscal_position.map_tax(taxes) if fiscal_position else taxes
        return self._taxes[key]

    def price_unit(self, gross, quantity, taxes, product):
        """The unit price that, with ``taxes``, makes ``gross`` for ``quantity`` units."""
        unit_gross = float(gross) / quantity
        if not taxes:
            return float_round(unit_gross, precision_digits=self.digits)
        key = (tuple(taxes.ids), product.id)
        if key not in self._factors:
            # on a large base, so that rates like 5.5 % are not rounded to the currency
            self._factors[key] = taxes.compute_all(
                FACTOR_BASE, product=product)["total_included"] / FACTOR_BASE
        return float_round(unit_gross / self._factors[key], precision_digits=self.digits)


class _Geography:
    """Countries and states by the codes (or names) Amazon gives, looked up once per batch."""

    def __init__(self, env):
        self.env = env
        self._countries, self._states = {}, {}

    def address_values(self, address):
        country = self.country(address["country_code"])
        state = self.state(country, address["state_code"])
        return {
            "street": address["street"] or False,
            "street2": address["street2"] or False,
            "city": address["city"] or False,
            "zip": address["zip"] or False,
            "country_id": country.id,
            "state_id": state.id,
        }

    def country(self, code):
        if code not in self._countries:
            self._countries[code] = self.env["res.country"].search([("code", "=", code)], limit=1) \
                if code else self.env["res.country"]
        return self._countries[code]

    def state(self, country, code):
        if not country or not code:
            return self.env["res.country.state"]
        if country not in self._states:
            states = self.env["res.country.state"].search([("country_id", "=", country.id)])
            self._states[country] = {
                **{s.name.casefold(): s for s in states}, **{s.code.casefold(): s for s in states},
            }
        return self._states[country].get(code.casefold(), self.env["res.country.state"])
