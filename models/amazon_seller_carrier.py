from odoo import fields, models


class AmazonSellerCarrier(models.Model):
    """A carrier code Amazon accepts in confirmShipment (shipped as data, extendable)."""

    _name = "amazon.seller.carrier"
    _description = "Amazon Carrier Code"
    _order = "name"
    _rec_name = "name"

    code = fields.Char(required=True, help="The exact carrierCode Amazon expects, e.g. DHL.")
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)

    _code_unique = models.Constraint("UNIQUE(code)", "An Amazon carrier code is defined once.")

    def _for_carrier(self, carrier):
        """The code for an Odoo carrier: its explicit mapping, else a code of the same name."""
        if carrier.amazon_carrier_id:
            return carrier.amazon_carrier_id
        name = (carrier.name or "").strip()
        return self.search(["|", ("code", "=ilike", name), ("name", "=ilike", name)], limit=1)
