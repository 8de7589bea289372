// Pack & Ship (Sales ▸ Amazon ▸ Pack & Ship): the warehouse scans an FBM delivery or its Amazon
// order id, then each product into the parcel, weighs it, gives carrier and tracking number (or
// buys Amazon's label) and ships. The server (models/stock_picking_pack.py) checks every step.
import { Component, onMounted, onWillStart, useRef, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { useBus, useService } from "@web/core/utils/hooks";
import { url } from "@web/core/utils/urls";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const MODEL = "stock.picking";

export class AmazonPackShip extends Component {
    static template = "amazon_seller.PackShip";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        this.scanInput = useRef("scanInput");
        this.cameraSupported = isBarcodeScannerSupported();
        this.state = useState({
            picking: null, // the delivery being packed (server's dict)
            carriers: [],
            carrierId: false,
            tracking: "",
            weight: 0,
            code: "",
            message: "",
            messageType: "", // "danger" or "success"
            flash: "",
            lastMoveId: false,
            busy: false,
        });
        // a scanner typing outside of any field (Odoo's barcode service)
        useBus(useService("barcode").bus, "barcode_scanned", (ev) =>
            this.onScan(ev.detail.barcode)
        );
        onWillStart(() => {
            const extension = new Audio().canPlayType("audio/ogg") ? "ogg" : "mp3";
            this.errorSound = new Audio(url(`/barcodes/static/src/audio/error.${extension}`));
            this.errorSound.load();
        });
        onMounted(() => this.focusScan());
    }

    get title() {
        return this.state.picking ? _t("Scan a product") : _t("Scan a delivery or Amazon order");
    }

    get placeholder() {
        return this.state.picking
            ? _t("Product barcode or reference")
            : _t("Delivery reference or Amazon order id");
    }

    get trackingPlaceholder() {
        return this.state.picking?.buy_label
            ? _t("Leave empty to buy Amazon's label")
            : _t("Type or scan it");
    }

    get useBuyLabel() {
        return this.state.picking?.buy_label && !this.state.tracking.trim();
    }

    get shipLabel() {
        return this.useBuyLabel ? _t("Print label & Ship") : _t("Ship");
    }

    focusScan() {
        this.scanInput.el?.focus();
    }

    // === feedback === //

    flash(type, message) {
        this.state.message = message;
        this.state.messageType = type;
        this.state.flash = type;
        clearTimeout(this.flashTimeout);
        this.flashTimeout = setTimeout(() => (this.state.flash = ""), 1200);
        if (type === "danger") {
            this.errorSound.currentTime = 0;
            this.errorSound.play()?.catch(() => {});
            if ("vibrate" in window.navigator) {
                window.navigator.vibrate([100, 50, 100]);
            }
        }
    }

    /** Call the server; a refusal (UserError) is shown in red with the error sound. */
    async call(method, args, kwargs = {}) {
        this.state.busy = true;
        try {
            return await this.orm.call(MODEL, method, args, kwargs);
        } catch (error) {
            if (error instanceof RPCError && error.data?.name === "odoo.exceptions.UserError") {
                this.flash("danger", error.data.message);
                return null;
            }
            throw error;
        } finally {
            this.state.busy = false;
        }
    }

    // === scanning === //

    async onSubmitScan(ev) {
        ev.preventDefault();
        const code = this.state.code;
        this.state.code = "";
        await this.onScan(code);
    }

    async onCamera() {
        let code = null;
        try {
            code = await scanBarcode(this.env);
        } catch (error) {
            this.flash("danger", error.message);
        }
        if (code) {
            await this.onScan(code);
        }
    }

    async onScan(code) {
        code = (code || "").trim();
        if (!code || this.state.busy) {
            return;
        }
        if (this.state.picking) {
            await this.scanProduct(code);
        } else {
            await this.openDelivery(code);
        }
        this.focusScan();
    }

    async openDelivery(code) {
        const picking = await this.call("amazon_pack_find", [code]);
        if (!picking) {
            return;
        }
        this.state.carriers = picking.carriers || [];
        this.state.carrierId = picking.carrier_id || false;
        this.state.tracking = picking.tracking_ref || "";
        this.state.weight = picking.weight;
        this.state.lastMoveId = false;
        this.state.picking = picking;
        this.flash(
            "success",
            _t("%(picking)s of Amazon order %(order)s: scan its products.", {
                picking: picking.name,
                order: picking.amazon_order_ref,
            })
        );
    }

    async scanProduct(code) {
        const data = await this.call("amazon_pack_scan", [[this.state.picking.id], code]);
        if (!data) {
            return;
        }
        this.updatePicking(data);
        this.state.lastMoveId = data.scanned_move_id;
        const line = data.lines.find((l) => l.move_id === data.scanned_move_id);
        this.flash(
            "success",
            data.complete
                ? _t("Everything is packed: weigh the parcel, then ship.")
                : _t("%(product)s: %(packed)s of %(demand)s packed.", {
                      product: line.product,
                      packed: line.packed,
                      demand: line.demand,
                  })
        );
    }

    updatePicking(data) {
        // carriers, carrier and tracking number typed so far stay as they are
        Object.assign(this.state.picking, { ...data, carriers: undefined });
    }

    // === weight, carrier, shipping === //

    /** The weight typed, with a decimal point or comma; NaN when it is no number. */
    get weight() {
        return Number(String(this.state.weight).trim().replace(",", "."));
    }

    async onWeightChange() {
        const weight = this.weight;
        if (Number.isNaN(weight) || weight < 0) {
            this.flash("danger", _t("The weight is a number, zero or more."));
            return;
        }
        const data = await this.call("amazon_pack_set_weight", [[this.state.picking.id], weight]);
        if (data) {
            this.updatePicking(data);
            this.state.weight = data.weight;
        }
    }

    onShip() {
        const picking = this.state.picking;
        if (!picking.complete) {
            this.dialog.add(ConfirmationDialog, {
                title: _t("Ship partially?"),
                body: _t(
                    "Not everything of %s is packed: what is missing stays in a backorder.",
                    picking.name
                ),
                confirmLabel: _t("Ship what is packed"),
                confirm: () => this.ship(true),
                cancel: () => {},
            });
            return;
        }
        return this.ship(false);
    }

    async ship(partial) {
        const picking = this.state.picking;
        const result = await this.call("amazon_pack_ship", [[picking.id]], {
            carrier_id: Number(this.state.carrierId) || false,
            tracking_ref: this.state.tracking,
            weight: Number.isNaN(this.weight) ? String(this.state.weight) : this.weight,
            partial,
        });
        if (!result) {
            return;
        }
        this.reset();
        this.flash(
            "success",
            result.backorder
                ? _t("%(picking)s shipped; the rest waits in %(backorder)s. Next delivery!", {
                      picking: result.name,
                      backorder: result.backorder,
                  })
                : _t("%(picking)s shipped: Amazon hears of it within minutes. Next delivery!", {
                      picking: result.name,
                  })
        );
        if (result.label_action) {
            await this.action.doAction(result.label_action);
        }
        this.focusScan();
    }

    reset() {
        Object.assign(this.state, {
            picking: null,
            carriers: [],
            carrierId: false,
            tracking: "",
            weight: 0,
            lastMoveId: false,
            message: "",
            messageType: "",
        });
    }

    onLeave() {
        this.reset();
        this.focusScan();
    }
}

registry.category("actions").add("amazon_seller.pack_ship", AmazonPackShip);
