from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    amazon_buyer_key = fields.Char(
        index="btree_not_null", copy=False,
        help="Who this buyer is for Amazon (anonymised e-mail, or name and address): finds the "
             "partner again when the buyer orders again.",
    )
    amazon_address_key = fields.Char(
        index="btree_not_null", copy=False,
        help="Fingerprint of the Amazon delivery address this contact holds.",
    )
    amazon_placeholder_name = fields.Boolean(
        copy=False, help="Amazon gave no name yet: the name is a placeholder to complete later.",
    )

    def _amazon_buyers(self):
        """The partners among these that Amazon brought (buyers and their delivery addresses):
        Amazon's rules allow contacting them only through Amazon, never from Odoo."""
        return self.filtered(lambda p: p.amazon_buyer_key or p.parent_id.amazon_buyer_key
                             or p.amazon_address_key)

    def _amazon_address(self, company=None):
        """This partner's address as the mappers take it (``name, street, street2, city,
        state_code, zip, country_code, phone, email``), the company's name, phone and e-mail
        where the partner has none (a warehouse's address)."""
        self.ensure_one()
        company = company or self.env["res.company"]
        return {"name": self.name or self.commercial_partner_id.name or company.name,
                "street": self.street, "street2": self.street2, "city": self.city,
                "state_code": self.state_id.code, "zip": self.zip,
                "country_code": self.country_id.code, "phone": self.phone or company.phone,
                "email": self.email or company.email}

