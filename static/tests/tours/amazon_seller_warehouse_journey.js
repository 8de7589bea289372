import { registry } from "@web/core/registry";

// A day in the warehouse (Inventory / User + Amazon / User, nothing else): the Amazon
// deliveries to ship are listed by ship-by date; all of them are selected and validated at once
// with one carrier and a tracking number each.
registry.category("web_tour.tours").add("amazon_seller_warehouse_journey", {
    steps: () => [
        {
            content: "the two Amazon deliveries to ship are listed",
            trigger: ".o_list_view .o_data_row:nth-child(2) .o_data_cell[name='amazon_order_ref']",
        },
        {
            content: "select them all",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "validate them with tracking numbers",
            trigger: "button[name='action_amazon_bulk_validate']",
            run: "click",
        },
        {
            content: "choose the carrier",
            trigger: ".modal .o_field_widget[name='carrier_id'] input",
            run: "edit DHL",
        },
        {
            content: "DHL, which has its Amazon carrier code",
            trigger: ".o-autocomplete--dropdown-item:contains('DHL')",
            run: "click",
        },
        {
            content: "open the first delivery's line",
            trigger: ".modal .o_data_row:nth-child(1) .o_data_cell[name='tracking_ref']",
            run: "click",
        },
        {
            content: "type its tracking number",
            trigger: ".modal .o_data_row.o_selected_row .o_field_widget[name='tracking_ref'] input",
            run: "edit JJD0001",
        },
        {
            content: "open the second delivery's line",
            trigger: ".modal .o_data_row:nth-child(2) .o_data_cell[name='tracking_ref']",
            run: "click",
        },
        {
            content: "type its tracking number",
            trigger: ".modal .o_data_row.o_selected_row .o_field_widget[name='tracking_ref'] input",
            run: "edit JJD0002",
        },
        {
            content: "validate all",
            trigger: ".modal button[name='action_validate']",
            run: "click",
        },
        {
            content: "both are validated; Amazon hears of them within minutes",
            trigger: ".o_notification:contains('2 deliveries validated')",
        },
    ],
});
