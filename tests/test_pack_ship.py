from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AmazonSellerCase


@tagged("post_install", "-at_install")
class TestPackShip(AmazonSellerCase):
    """The server side of the Pack & Ship screen (models/stock_picking_pack.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.mug = Product.create({"name": "Pack mug", "default_code": "PACK-MUG",
                                  "barcode": "4006381333931", "is_storable": True, "weight": 0.4})
        cls.lamp = Product.create({"name": "Pack lamp", "default_code": "PACK-LAMP",
                                   "is_storable": True, "weight": 1.5})
        cls.other = Product.create({"name": "Stranger", "default_code": "PACK-OTHER",
                                    "is_storable": True})
        stock = cls.account.warehouse_id.lot_stock_id
        for product in (cls.mug, cls.lamp, cls.other):
            cls.env["stock.quant"]._update_available_quantity(product, stock, 20)
        service = Product.create({"name": "Carriage", "type": "service"})
        cls.dhl = cls.env["delivery.carrier"].create({"name": "DHL", "product_id": service.id})
        cls.buyer = cls.env["res.partner"].create({"name": "Pack Buyer"})

    def make_order(self, ref, lines=((None, 2), (None, 1)), channel="fbm"):
        products = (self.mug, self.lamp)
        order = self.env["sale.order"].create({
            "partner_id": self.buyer.id, "amazon_account_id": self.account.id,
            "amazon_order_ref": ref, "amazon_fulfillment_channel": channel,
            "amazon_status": "UNSHIPPED", "warehouse_id": self.account.warehouse_id.id,
            "order_line": [Command.create({"product_id": (product or products[index]).id,
                                           "product_uom_qty": quantity})
                           for index, (product, quantity) in enumerate(lines)],
        })
        order.action_confirm()
        return order

    def refused(self, call, *words):
        with self.assertRaises(UserError) as caught:
            call()
        for word in words:
            self.assertIn(word, caught.exception.args[0])
        return caught.exception.args[0]

    def test_menus_for_the_warehouse_only(self):
        """Test that the warehouse (Inventory / User + Amazon / User) sees both Pack & Ship
        menus, and an Amazon user without Inventory rights neither."""
        menus = (self.env.ref("amazon_seller.menu_amazon_seller_pack_ship")
                 | self.env.ref("amazon_seller.menu_amazon_pack_ship_inventory"))
        warehouse = new_test_user(self.env, login="pack_menus_warehouse", groups=(
            "stock.group_stock_user,amazon_seller.group_amazon_seller_user"))
        sales = new_test_user(self.env, login="pack_menus_sales", groups=(
            "sales_team.group_sale_salesman,amazon_seller.group_amazon_seller_user"))
        Menu = self.env["ir.ui.menu"]
        self.assertLessEqual(set(menus.ids), Menu.with_user(warehouse)._visible_menu_ids())
        self.assertFalse(set(menus.ids) & Menu.with_user(sales)._visible_menu_ids())

    def test_find_by_order_id_or_reference(self):
        """Test that a delivery opens by its Amazon order id and by its reference, with the
        lines to pack, the products' weight and the carriers."""
        order = self.make_order("302-9000001-9000001")
        picking = order.picking_ids
        Picking = self.env["stock.picking"]
        data = Picking.amazon_pack_find(" 302-9000001-9000001 ")
        self.assertEqual((data["id"], data["name"]), (picking.id, picking.name))
        self.assertEqual(Picking.amazon_pack_find(picking.name.lower())["id"], picking.id)
        self.assertEqual([(line["code"], line["packed"], line["demand"]) for line in data["lines"]],
                         [("PACK-MUG", 0, 2), ("PACK-LAMP", 0, 1)])
        self.assertAlmostEqual(data["weight"], 2 * 0.4 + 1.5)
        self.assertIn("DHL", [carrier["name"] for carrier in data["carriers"]])
        self.assertFalse(data["complete"])

    def test_refused_codes(self):
        """Test that unknown codes, FBA orders, done and cancelled deliveries are refused."""
        Picking = self.env["stock.picking"]
        self.refused(lambda: Picking.amazon_pack_find("NOPE-42"), "NOPE-42")
        self.refused(lambda: Picking.amazon_pack_find("%"), "Nothing found")
        self.refused(lambda: Picking.amazon_pack_find(""), "Amazon order id")
        fba = self.env["sale.order"].create({
            "partner_id": self.buyer.id, "amazon_account_id": self.account.id,
            "amazon_order_ref": "302-9000002-9000002", "amazon_fulfillment_channel": "fba"})
        self.refused(lambda: Picking.amazon_pack_find(fba.amazon_order_ref), fba.amazon_order_ref,
                     "FBA")

        cancelled = self.make_order("302-9000003-9000003")
        cancelled.picking_ids.action_cancel()
        self.refused(lambda: Picking.amazon_pack_find("302-9000003-9000003"),
                     cancelled.picking_ids.name, "cancelled")

        done = self.make_order("302-9000004-9000004")
        picking = done.picking_ids
        picking.amazon_pack_scan("PACK-MUG")
        picking.amazon_pack_scan("PACK-MUG")
        picking.amazon_pack_scan("PACK-LAMP")
        picking.amazon_pack_ship(carrier_id=self.dhl.id, tracking_ref="JJD-DONE")
        self.refused(lambda: Picking.amazon_pack_find("302-9000004-9000004"),
                     picking.name, "already shipped")
        self.refused(lambda: picking.amazon_pack_scan("PACK-MUG"), "already shipped")

        manual = self.env["sale.order"].create({
            "partner_id": self.buyer.id, "order_line": [Command.create({"product_id": self.mug.id})]})
        manual.action_confirm()
        self.refused(lambda: Picking.amazon_pack_find(manual.picking_ids.name),
                     "not the delivery of an Amazon order")

        held = self.make_order("302-9000005-9000005")
        if "amazon_review_state" in held._fields:
            held.amazon_review_state = "held"
            self.refused(lambda: Picking.amazon_pack_find("302-9000005-9000005"), "on hold")
        held.amazon_status = "CANCELLED"
        self.refused(lambda: Picking.amazon_pack_find("302-9000005-9000005"), "cancelled")

    def test_wrong_product_and_one_too_many_refused(self):
        """Test that a product not in the delivery and one unit too many are refused, and that
        nothing changes then."""
        picking = self.make_order("302-9000006-9000006").picking_ids
        data = picking.amazon_pack_scan("4006381333931")  # the mug's barcode
        mug_move = picking.move_ids.filtered(lambda m: m.product_id == self.mug)
        self.assertEqual(data["scanned_move_id"], mug_move.id)
        self.assertEqual(mug_move.amazon_packed_qty, 1)

        self.refused(lambda: picking.amazon_pack_scan("PACK-OTHER"), "Stranger", picking.name)
        self.refused(lambda: picking.amazon_pack_scan("NO-SUCH-CODE"), "NO-SUCH-CODE", picking.name)
        self.assertEqual(picking.move_ids.mapped("amazon_packed_qty"), [1, 0])

        picking.amazon_pack_scan("PACK-MUG")
        self.refused(lambda: picking.amazon_pack_scan("PACK-MUG"), "too many", "Pack mug")
        self.assertEqual(picking.move_ids.mapped("amazon_packed_qty"), [2, 0])
        self.assertEqual(picking.move_ids.mapped("quantity"), [2, 1], "reservation untouched")
        self.assertFalse(any(picking.move_ids.mapped("picked")))

    def test_ship_needs_carrier_tracking_and_everything_packed(self):
        """Test that shipping is refused without carrier or tracking number, or with products
        still to pack, and that the delivery stays as it was."""
        picking = self.make_order("302-9000007-9000007").picking_ids
        self.refused(lambda: picking.amazon_pack_ship(carrier_id=self.dhl.id, tracking_ref="X1"),
                     "Nothing", picking.name)
        picking.amazon_pack_scan("PACK-MUG")
        self.refused(lambda: picking.amazon_pack_ship(carrier_id=self.dhl.id, tracking_ref="X1"),
                     "not complete", "Pack mug", "Pack lamp")
        picking.amazon_pack_scan("PACK-MUG")
        picking.amazon_pack_scan("PACK-LAMP")
        self.refused(lambda: picking.amazon_pack_ship(tracking_ref="JJD1"), "carrier")
        self.refused(lambda: picking.amazon_pack_ship(carrier_id=self.dhl.id, tracking_ref="JJD1",
                                                      weight="heavy"), "weight")
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.carrier_tracking_ref)

    def test_ship_validates_with_the_packed_quantities(self):
        """Test that shipping validates the delivery with what was packed, the weight, carrier
        and tracking number, without backorder, and queues Amazon's confirmation."""
        picking = self.make_order("302-9000008-9000008").picking_ids
        for code in ("PACK-LAMP", "PACK-MUG", "4006381333931"):
            data = picking.amazon_pack_scan(code)
        self.assertTrue(data["complete"])
        self.assertEqual(picking.amazon_pack_set_weight(2.75)["weight"], 2.75)
        result = picking.amazon_pack_ship(carrier_id=self.dhl.id, tracking_ref=" JJD0042 ",
                                          weight=2.8)
        self.assertEqual((result["done"], result["backorder"], result["tracking_ref"]),
                         (True, False, "JJD0042"))
        self.assertEqual(picking.state, "done")
        self.assertEqual((picking.carrier_id, picking.amazon_package_weight), (self.dhl, 2.8))
        self.assertEqual(picking.move_ids.mapped("quantity"), [2, 1])
        self.assertEqual(picking.amazon_confirmation_state, "to_send")
        self.assertFalse(picking.sale_id.picking_ids - picking, "no backorder")

    def test_partial_ship_leaves_a_backorder(self):
        """Test that shipping part of a delivery, when asked, leaves the rest in a backorder."""
        picking = self.make_order("302-9000009-9000009").picking_ids
        picking.amazon_pack_scan("PACK-MUG")
        result = picking.amazon_pack_ship(carrier_id=self.dhl.id, tracking_ref="JJD7", partial=True)
        backorder = picking.sale_id.picking_ids - picking
        self.assertEqual((picking.state, result["backorder"]), ("done", backorder.name))
        self.assertEqual(picking.move_ids.filtered(lambda m: m.state == "done").mapped("quantity"),
                         [1])
        self.assertEqual(sorted(backorder.move_ids.mapped("product_uom_qty")), [1, 1])
        data = self.env["stock.picking"].amazon_pack_find("302-9000009-9000009")
        self.assertEqual(data["id"], backorder.id, "the order's open delivery opens next")


@tagged("post_install", "-at_install")
class TestPackShipUi(HttpCase):

    def test_warehouse_scans_and_ships_a_delivery(self):
        """Test in a browser, as a user holding exactly the warehouse's groups, that Pack & Ship
        opens the delivery of a scanned Amazon order, refuses a product it does not hold, packs
        the right ones and ships with the carrier and tracking number typed."""
        account = self.env["amazon.seller.account"].create({
            "name": "Pack Tour Seller", "region": "EU",
            "marketplace_ids": [self.env.ref("amazon_seller.marketplace_de").id],
            **AmazonSellerCase.credentials(),
        })
        Product = self.env["product.product"]
        mug = Product.create({"name": "Tour mug", "default_code": "PACKTOUR-MUG",
                              "barcode": "4006381333900", "is_storable": True, "weight": 0.4})
        lamp = Product.create({"name": "Tour lamp", "default_code": "PACKTOUR-LAMP",
                               "is_storable": True, "weight": 1.5})
        Product.create({"name": "Odd socks", "default_code": "PACKTOUR-ODD", "is_storable": True})
        for product in (mug, lamp):
            self.env["stock.quant"]._update_available_quantity(
                product, account.warehouse_id.lot_stock_id, 5)
        service = Product.create({"name": "Carriage", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "Pack Tour Carrier", "product_id": service.id})
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Tour Buyer"}).id,
            "amazon_account_id": account.id, "amazon_order_ref": "302-4000001-4000001",
            "amazon_fulfillment_channel": "fbm", "amazon_status": "UNSHIPPED",
            "warehouse_id": account.warehouse_id.id,
            "order_line": [Command.create({"product_id": mug.id, "product_uom_qty": 2}),
                           Command.create({"product_id": lamp.id, "product_uom_qty": 1})],
        })
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.state, "assigned")

        new_test_user(self.env, login="pack_warehouse", groups="stock.group_stock_user,"
                      "amazon_seller.group_amazon_seller_user")
        self.start_tour("/odoo/action-amazon_seller.action_amazon_pack_ship",
                        "amazon_seller_pack_ship_tour", login="pack_warehouse")

        self.assertEqual(picking.state, "done")
        self.assertEqual((picking.carrier_id, picking.carrier_tracking_ref),
                         (carrier, "PACK-TOUR-1"))
        self.assertEqual(picking.amazon_package_weight, 2.5)
        self.assertEqual(picking.move_ids.mapped("quantity"), [2, 1])
        self.assertEqual(picking.amazon_confirmation_state, "to_send")
        self.assertFalse(order.picking_ids - picking, "no backorder")
