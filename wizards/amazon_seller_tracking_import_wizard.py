import base64

from odoo import fields, models
from odoo.exceptions import UserError

from ..formats.tracking_parser import RowProblem, TrackingFileError, parse_tracking_file


class AmazonSellerTrackingImportWizard(models.TransientModel):
    """Import a carrier's file of tracking numbers: fill, validate and confirm the Amazon
    deliveries it names; list each line that could not be used, with the reason."""

    _name = "amazon.seller.tracking.import.wizard"
    _description = "Import Tracking Numbers"

    file = fields.Binary(string="Carrier File", required=True)
    filename = fields.Char()
    carrier_id = fields.Many2one(
        comodel_name="delivery.carrier", string="Default Carrier",
        help="For the lines of a file without carrier column, or whose carrier is unknown to Odoo.")
    result = fields.Text(readonly=True)
    state = fields.Selection(selection=[("draft", "Draft"), ("done", "Done")], default="draft")

    def action_import(self):
        self.ensure_one()
        try:
            rows, problems = parse_tracking_file(base64.b64decode(self.file or b""))
        except TrackingFileError as error:
            raise UserError(self.env._("%(file)s cannot be read: %(reason)s.",
                                       file=self.filename or self.env._("The file"),
                                       reason=error.describe(self.env))) from error
        shipments, problems = self._match(rows, problems)
        shipped = self.env["stock.picking"]._amazon_ship_with_tracking(shipments)
        self.write({"state": "done", "result": self._summary(shipped, problems)})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": self.env._("Import Tracking Numbers")}

    def _match(self, rows, problems):
        """{picking: (carrier, tracking, ship date)} for the rows naming an Amazon delivery to
        ship, and the problems of the others."""
        Picking = self.env["stock.picking"]
        refs = {row.order_ref for row in rows if row.order_ref}
        names = {row.delivery_ref for row in rows if row.delivery_ref}
        candidates = Picking.search([
            "|", ("sale_id.amazon_order_ref", "in", list(refs)), ("name", "in", list(names)),
        ])._amazon_shippable()
        by_order = {}
        for picking in candidates:
            by_order.setdefault(picking.amazon_order_ref, picking)
        by_name = {picking.name: picking for picking in candidates}
        carriers = self._carriers({row.carrier for row in rows if row.carrier})
        shipments, problems = {}, list(problems)
        for row in rows:
            picking = by_name.get(row.delivery_ref) or by_order.get(row.order_ref)
            carrier = carriers.get(row.carrier.casefold()) if row.carrier else self.carrier_id
            carrier = carrier or self.carrier_id
            if not picking:
                problems.append(RowProblem(row.line, self.env._(
                    "%(ref)s is no Amazon delivery waiting to ship",
                    ref=row.delivery_ref or row.order_ref)))
            elif picking in shipments:
                problems.append(RowProblem(row.line, self.env._(
                    "%(ref)s appears twice in the file", ref=row.delivery_ref or row.order_ref)))
            elif not carrier:
                problems.append(RowProblem(row.line, self.env._(
                    "carrier %(carrier)s is unknown: create it or choose a default carrier",
                    carrier=row.carrier or "?")))
            else:
                shipments[picking] = (carrier, row.tracking, row.ship_date)
        return shipments, problems

    def _carriers(self, names):
        """{name or Amazon carrier code, case-folded: delivery.carrier}."""
        carriers = self.env["delivery.carrier"].search([])
        found = {}
        for carrier in carriers:
            found.setdefault(carrier.name.casefold(), carrier)
            if carrier.amazon_carrier_id:
                found.setdefault(carrier.amazon_carrier_id.code.casefold(), carrier)
        return {name.casefold(): found[name.casefold()] for name in names if name.casefold() in found}

    def _summary(self, shipped, problems):
        lines = [self.env._("%(count)s deliveries validated; Amazon hears of them within minutes.",
                            count=len(shipped))]
        for problem in sorted(problems, key=lambda p: p.line):
            lines.append(self.env._("Line %(line)s: %(reason)s", line=problem.line,
                                    reason=problem.reason))
        return "\n".join(lines)
