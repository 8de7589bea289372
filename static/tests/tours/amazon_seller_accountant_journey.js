import { registry } from "@web/core/registry";

// A tab-separated settlement report V2, as Seller Central gives it: a reimbursement Odoo knows
// and a fee code it has never seen, paying out 87.50 USD.
const SETTLEMENT_FILE = [
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t" +
        "currency\ttransaction-type\torder-id\tamount-type\tamount-description\tamount\tposted-date",
    "5561\t2026-06-01 00:00:00 UTC\t2026-06-14 23:59:59 UTC\t2026-06-16 00:00:00 UTC\t87.50\t" +
        "USD\t\t\t\t\t\t",
    "5561\t\t\t\t\tUSD\tFBA Inventory Reimbursement\t\tother-transaction\tWAREHOUSE_LOST\t" +
        "100.00\t2026-06-10 00:00:00 UTC",
    "5561\t\t\t\t\tUSD\tServiceFee\t\tother-transaction\tMystery Fee\t-12.50\t" +
        "2026-06-11 00:00:00 UTC",
].join("\n");

function menu(xmlid) {
    return `[data-menu-xmlid='${xmlid}']`;
}

// A day of the accountant (Show Full Accounting Features + Amazon / User): a settlement file
// with a fee code no rule maps waits for review; a rule is created for it from the row, the
// settlement checked again, posted, and its payout matched with the bank deposit.
registry.category("web_tour.tours").add("amazon_seller_accountant_journey", {
    steps: () => [
        {
            content: "open the Amazon menu of Accounting",
            trigger: menu("amazon_seller.menu_amazon_accounting"),
            run: "click",
        },
        {
            content: "import a settlement file",
            trigger: menu("amazon_seller.menu_amazon_settlement_import"),
            run: "click",
        },
        {
            content: "choose the Amazon account",
            trigger: ".modal .o_field_widget[name='account_id'] input",
            run: "edit Journey Seller",
        },
        {
            content: "pick it",
            trigger: ".o-autocomplete--dropdown-item:contains('Journey Seller')",
            run: "click",
        },
        {
            content: "add the file downloaded from Seller Central",
            trigger: ".modal .o_field_many2many_binary input[type='file']:not(:visible)",
            async run() {
                const file = new File([SETTLEMENT_FILE], "settlement-5561.txt", { type: "text/plain" });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                const input = document.querySelector(".modal .o_field_many2many_binary input[type='file']");
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "the file is attached",
            trigger: ".modal .o_field_many2many_binary:contains('settlement-5561.txt')",
        },
        {
            content: "import it",
            trigger: ".modal button[name='action_import']",
            run: "click",
        },
        {
            content: "it is imported, to review",
            trigger: ".modal .o_field_widget[name='result']:contains('settlement 5561 imported (To Review)')",
        },
        {
            content: "close the wizard",
            trigger: ".modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "open the Amazon menu again",
            trigger: menu("amazon_seller.menu_amazon_accounting"),
            run: "click",
        },
        {
            content: "go to the settlements",
            trigger: menu("amazon_seller.menu_amazon_settlements"),
            run: "click",
        },
        {
            content: "open the new settlement",
            trigger: ".o_data_row:contains('5561') .o_data_cell[name='settlement_ref']",
            run: "click",
        },
        {
            content: "it waits for a rule for the unknown fee",
            trigger: ".o_form_view .alert-warning:contains('Mystery Fee')",
        },
        {
            content: "look at its rows",
            trigger: ".o_notebook .nav-link:contains('Rows')",
            run: "click",
        },
        {
            content: "create a rule from the unmapped row",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row button[name='action_create_rule']",
            run: "click",
        },
        {
            content: "the rule is prefilled with the row's code",
            trigger: ".modal .o_field_widget[name='amount_description'] input",
        },
        {
            content: "book it on an account of the Amazon Payments setup",
            trigger: ".modal .o_field_widget[name='payments_account'] .o_select_menu_toggler",
            run: "click",
        },
        {
            content: "the other fees account",
            trigger: ".o_select_menu_menu .o_select_menu_item:contains('Other Fees')",
            run: "click",
        },
        {
            content: "save the rule",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "check the settlement again",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_buttons button[name='action_check']",
            run: "click",
        },
        {
            content: "it is ready",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
        {
            content: "post it",
            trigger: ".o_statusbar_buttons button[name='action_post']",
            run: "click",
        },
        {
            content: "it is posted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Posted')",
        },
        {
            content: "match the payout with the bank deposit",
            trigger: ".o_statusbar_buttons button[name='action_match_deposit']",
            run: "click",
        },
        {
            content: "the payout is deposited",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Deposited')",
        },
    ],
});
