import { registry } from "@web/core/registry";

// A warehouse user (Inventory / User + Amazon / User, nothing else) opens the Amazon delivery to
// ship, is told that Amazon needs a tracking number, gives carrier and tracking number at the top
// of the form, validates, and sees the confirmation queued.
registry.category("web_tour.tours").add("amazon_seller_delivery_tour", {
    steps: () => [
        {
            content: "open the delivery due for Amazon",
            trigger: ".o_data_row .o_data_cell[name='amazon_order_ref']",
            run: "click",
        },
        {
            content: "validate it without tracking number",
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_validate']",
            run: "click",
        },
        {
            content: "Amazon's requirement is explained",
            trigger: ".modal-body:contains('tracking number')",
        },
        {
            content: "close the message",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "choose the carrier",
            trigger: ".o_field_widget[name='carrier_id'] input",
            run: "edit Tour Carrier",
        },
        {
            content: "pick it in the list",
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Carrier')",
            run: "click",
        },
        {
            content: "type the tracking number",
            trigger: ".o_field_widget[name='carrier_tracking_ref'] input",
            run: "edit TOUR-123",
        },
        {
            content: "validate",
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_validate']",
            run: "click",
        },
        {
            content: "the confirmation waits to be sent after the validation",
            trigger: ".o_form_saved .o_field_widget[name='amazon_confirmation_state']:contains('To Send')",
        },
    ],
});
