import { registry } from "@web/core/registry";

// The e-commerce manager, without Inventory rights, clicks the delivery figures of the overview:
// each opens the orders concerned, an empty one says what it filtered.
registry.category("web_tour.tours").add("amazon_seller_manager_figures_tour", {
    steps: () => [
        {
            content: "the overdue figure of the card",
            trigger: ".o_kanban_record:contains('Dashboard Seller') a[name='action_view_overdue']",
            run: "click",
        },
        {
            content: "it opens the overdue order, which the manager may read",
            trigger: ".o_list_view .o_data_row:contains('111-7000002')",
        },
        {
            content: "back to the overview",
            trigger: ".breadcrumb-item a:contains('Amazon Overview')",
            run: "click",
        },
        {
            content: "the figure of today's deliveries (none)",
            trigger: ".o_kanban_record:contains('Dashboard Seller') a[name='action_view_to_ship_today']",
            run: "click",
        },
        {
            content: "the empty list says what it filtered",
            trigger: ".o_view_nocontent:contains('No FBM delivery of Dashboard Seller is due today.')",
        },
    ],
});

// A sales user reads the sales analysis: US revenue without the tax Amazon collects.
registry.category("web_tour.tours").add("amazon_seller_sales_report_tour", {
    steps: () => [
        {
            content: "the sales analysis as a pivot",
            trigger: "button.o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "the pivot of the sales analysis",
            trigger: ".o_pivot table",
        },
        {
            content: "its measures",
            trigger: "button:contains('Measures')",
            run: "click",
        },
        {
            content: "measure the untaxed total",
            trigger: ".dropdown-menu .dropdown-item:contains('Untaxed Total')",
            run: "click",
        },
        {
            content: "the order's revenue is Amazon's item price, not the price with Amazon's tax",
            trigger: ".o_pivot td.o_pivot_cell_value:contains('129.99')",
        },
        {
            content: "the tax Amazon collects is not revenue",
            trigger: ".o_pivot:not(:has(td.o_pivot_cell_value:contains('140.39')))",
        },
    ],
});
