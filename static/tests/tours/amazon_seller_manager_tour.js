import { registry } from "@web/core/registry";

// The e-commerce manager's first day: a new account walked through its set-up, from the
// credentials to the synchronisation.
registry.category("web_tour.tours").add("amazon_seller_manager_setup_tour", {
    steps: () => [
        {
            content: "create an Amazon account",
            trigger: ".o_list_button_add, .o-kanban-button-new",
            run: "click",
        },
        {
            content: "name it",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Journey Seller",
        },
        {
            content: "the checklist asks for the credentials first",
            trigger: "span:contains('Missing: the credentials')",
        },
        {
            content: "open the Credentials tab",
            trigger: ".o_notebook a:contains('Credentials')",
            run: "click",
        },
        {
            content: "LWA client ID",
            trigger: ".o_field_widget[name='lwa_app_id'] input",
            run: "edit amzn1.application-oa2-client.journey",
        },
        {
            content: "LWA client secret",
            trigger: ".o_field_widget[name='lwa_client_secret'] input",
            run: "edit journey-secret",
        },
        {
            content: "refresh token",
            trigger: ".o_field_widget[name='refresh_token'] input",
            run: "edit Atzr|journey-token",
        },
        {
            content: "save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "next: test the connection",
            trigger: ".o_form_saved span:contains('Next: test the connection')",
        },
        {
            content: "test the connection",
            trigger: "button[name='action_test_connection'].btn-primary:visible:not(.o_invisible_modifier)",
            run: "click",
        },
        {
            content: "Amazon answered",
            trigger: ".o_notification:contains('Connection to Amazon succeeded')",
        },
        {
            content: "the marketplaces Amazon named are filled in",
            trigger: ".o_field_widget[name='marketplace_ids'] .o_tag:contains('United States')",
        },
        {
            content: "the Amazon Payments journal came with the marketplaces: only the synchronisation is left",
            trigger: "span:contains('Everything is in place: enable synchronisation.'):visible",
        },
        {
            content: "enable the synchronisation",
            trigger: "button[name='action_enable_sync']:visible",
            run: "click",
        },
        {
            content: "the set-up checklist is gone: everything is in place",
            trigger: ".o_form_view:not(:has(span:contains('Everything is in place')))",
        },
    ],
});

// Later that day: an order waits for its SKU; mapping the SKU confirms it.
registry.category("web_tour.tours").add("amazon_seller_manager_mapping_tour", {
    steps: () => [
        {
            content: "the SKU to map, in a flat list: only its product is editable",
            trigger: ".o_data_row:has(td[name='sku']:contains('JOURNEY-SKU')) td[name='product_id']",
            run: "click",
        },
        {
            content: "choose the product",
            trigger: ".o_data_row .o_field_widget[name='product_id'] input",
            run: "edit Journey Lamp",
        },
        {
            content: "pick it",
            trigger: ".o-autocomplete--dropdown-item:contains('Journey Lamp')",
            run: "click",
        },
        {
            content: "save the mapping",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "saved",
            trigger: ".o_list_view:not(:has(.o_list_button_save:visible))",
        },
    ],
});
