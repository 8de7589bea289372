import { registry } from "@web/core/registry";

// The e-commerce manager connects a new account in one click: Connect, Authorize on Seller
// Central's consent page (the simulator's; a tour only runs on Odoo's pages, so the test clicks
// Authorize there as the seller would), and back on the account, connected.
registry.category("web_tour.tours").add("amazon_seller_connect_tour", {
    steps: () => [
        {
            content: "open the new account",
            trigger: ".o_data_row td.o_data_cell:contains('Connect Seller')",
            run: "click",
        },
        {
            content: "the checklist asks for the credentials",
            trigger: ".o_amazon_setup_guide span:contains('Missing: the credentials')",
        },
        {
            content: "Connect: off to Seller Central",
            trigger: ".o_amazon_setup_guide button.o_amazon_connect",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "back from Seller Central: the notification says it is connected",
            trigger: ".o_notification:contains('is connected to Amazon')",
        },
        {
            content: "Amazon's seller id is the account's",
            trigger: ".o_form_view .o_field_widget[name='merchant_token'] input:value(A2SIMSELLER0001)",
        },
        {
            content: "the connection was tested: the credentials and the test are done",
            trigger: ".o_amazon_setup_guide:not(:has(span:contains('Missing: the credentials'))):not(:has(span:contains('Next: test the connection')))",
        },
        {
            content: "the marketplaces Amazon named are filled in",
            trigger: ".o_field_widget[name='marketplace_ids'] .o_tag:contains('United States')",
        },
        {
            content: "the account's chatter tells who connected it",
            trigger: ".o-mail-Message-body:contains('is connected to Amazon')",
        },
    ],
});
