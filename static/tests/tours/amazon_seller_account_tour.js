import { registry } from "@web/core/registry";

// An administrator creates an account, is stopped by a malformed endpoint URL, then is told
// which credentials are missing when testing the connection.
registry.category("web_tour.tours").add("amazon_seller_account_tour", {
    steps: () => [
        {
            content: "create an Amazon account",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "name it",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Tour Seller",
        },
        {
            content: "give the LWA client ID only",
            trigger: ".o_field_widget[name='lwa_app_id'] input",
            run: "edit amzn1.application-oa2-client.tour",
        },
        {
            content: "type a malformed endpoint URL",
            trigger: ".o_field_widget[name='endpoint_url'] input",
            run: "edit not a url",
        },
        {
            content: "save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "the URL is refused with a clear message",
            trigger: ".modal-body:contains('is not valid')",
        },
        {
            content: "close the message",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "fix the endpoint URL",
            trigger: ".o_field_widget[name='endpoint_url'] input",
            run: "edit http://127.0.0.1:9",
        },
        {
            content: "save again",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "test the connection",
            trigger: ".o_form_saved button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "the missing credentials are named",
            trigger: ".o_notification:contains('lacks credentials'):contains('Refresh Token')",
        },
    ],
});
