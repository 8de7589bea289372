from odoo import models
from odoo.exceptions import UserError


class PortalWizardUser(models.TransientModel):
    _inherit = "portal.wizard.user"

    def action_grant_access(self):
        """Amazon buyers are contacted through Amazon only: no portal invitation."""
        if self.partner_id._amazon_buyers():
            raise UserError(self.env._(
                "%(partner)s is an Amazon buyer: Amazon allows contacting buyers only through "
                "Amazon, so no portal invitation is sent.", partner=self.partner_id.display_name))
        return super().action_grant_access()
