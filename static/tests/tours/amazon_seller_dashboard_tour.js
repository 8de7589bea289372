import { registry } from "@web/core/registry";

// A manager opens the Amazon overview, reads an account's card, opens the fees report from its
// menu and the open errors of one of its flows, then continues the set-up of the account from
// its card.
registry.category("web_tour.tours").add("amazon_seller_dashboard_tour", {
    steps: () => [
        {
            content: "the account's card shows today's orders",
            trigger: ".o_amazon_seller_dashboard .o_kanban_record:contains('Dashboard Seller') button[name='action_view_orders_today']:contains('Orders Today')",
        },
        {
            content: "the late-shipment rate is red above Amazon's 4 %",
            trigger: ".o_kanban_record:contains('Dashboard Seller') [name='late_shipments'] .text-danger:contains('7 days')",
        },
        {
            content: "open the card's menu",
            trigger: ".o_kanban_record:contains('Dashboard Seller')",
            run: "hover && click .o_kanban_record:contains(Dashboard Seller) .o_dropdown_kanban .dropdown-toggle",
        },
        {
            content: "open the fees report",
            trigger: ".dropdown-menu a:contains('Fees')",
            run: "click",
        },
        {
            content: "the fees open as a graph",
            trigger: ".o_graph_view",
        },
        {
            content: "back to the overview",
            trigger: ".breadcrumb-item a:contains('Amazon Overview')",
            run: "click",
        },
        {
            content: "open the open errors of the orders flow",
            trigger: ".o_kanban_record:contains('Dashboard Seller') .o_amazon_dashboard_flows tr:contains('Orders') a[name='action_view_flow_errors']",
            run: "click",
        },
        {
            content: "the list shows the flow's open error",
            trigger: ".o_list_view .o_data_row:contains('111-7000001')",
        },
        {
            content: "back to the overview",
            trigger: ".breadcrumb-item a:contains('Amazon Overview')",
            run: "click",
        },
        {
            content: "continue the set-up of the account",
            trigger: ".o_kanban_record:contains('Dashboard Seller') [name='setup'] a[name='action_open_account']",
            run: "click",
        },
        {
            content: "the form says what is missing and offers the next step",
            trigger: ".o_form_view .o_amazon_setup_guide button[name='action_enable_sync']",
        },
    ],
});
