import { registry } from "@web/core/registry";

// A warehouse user (Inventory / User + Amazon / User, nothing else) opens Pack & Ship, scans an
// Amazon order id, a product the parcel must not hold (refused in red), the order's products,
// types carrier and tracking number and ships: the screen waits for the next delivery.
registry.category("web_tour.tours").add("amazon_seller_pack_ship_tour", {
    steps: () => [
        {
            content: "scan the Amazon order",
            trigger: ".o_amazon_pack_ship input.o_amazon_pack_scan",
            run: "edit 302-4000001-4000001 && press Enter",
        },
        {
            content: "its delivery opens with what to pack",
            trigger: ".o_amazon_pack_line:contains('PACKTOUR-MUG') .o_amazon_pack_qty:contains('0 / 2')",
        },
        {
            content: "scan a product the order does not hold",
            trigger: "input.o_amazon_pack_scan",
            run: "edit PACKTOUR-ODD && press Enter",
        },
        {
            content: "it is refused in red",
            trigger: ".o_amazon_pack_ship.o_amazon_pack_flash_danger .o_amazon_pack_message.alert-danger:contains('not in delivery')",
        },
        {
            content: "nothing changed",
            trigger: ".o_amazon_pack_line:contains('PACKTOUR-MUG') .o_amazon_pack_qty:contains('0 / 2')",
        },
        {
            content: "scan the mug by its barcode",
            trigger: "input.o_amazon_pack_scan",
            run: "edit 4006381333900 && press Enter",
        },
        {
            content: "one mug packed",
            trigger: ".o_amazon_pack_line:contains('PACKTOUR-MUG') .o_amazon_pack_qty:contains('1 / 2')",
        },
        {
            content: "scan the second mug by its reference",
            trigger: "input.o_amazon_pack_scan",
            run: "edit PACKTOUR-MUG && press Enter",
        },
        {
            content: "the mugs are packed",
            trigger: ".o_amazon_pack_line_complete:contains('PACKTOUR-MUG')",
        },
        {
            content: "scan the lamp",
            trigger: "input.o_amazon_pack_scan",
            run: "edit PACKTOUR-LAMP && press Enter",
        },
        {
            content: "everything is packed",
            trigger: ".o_amazon_pack_message:contains('Everything is packed')",
        },
        {
            content: "the weight is the products' weight",
            trigger: "input.o_amazon_pack_weight:value(2.3)",
        },
        {
            content: "weigh the parcel",
            trigger: "input.o_amazon_pack_weight",
            run: "edit 2.5",
        },
        {
            content: "choose the carrier",
            trigger: "select.o_amazon_pack_carrier",
            run: "selectByLabel Pack Tour Carrier",
        },
        {
            content: "type the tracking number",
            trigger: "input.o_amazon_pack_tracking",
            run: "edit PACK-TOUR-1",
        },
        {
            content: "ship",
            trigger: ".o_amazon_pack_ship_button:not(:disabled)",
            run: "click",
        },
        {
            content: "shipped, the screen waits for the next delivery",
            trigger: ".o_amazon_pack_message.alert-success:contains('shipped')",
        },
        {
            content: "no delivery open",
            trigger: ".o_amazon_pack_ship:not(:has(.o_amazon_pack_line)) input.o_amazon_pack_scan",
        },
    ],
});
