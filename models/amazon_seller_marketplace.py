from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models

from .. import const


class AmazonSellerMarketplace(models.Model):
    """An Amazon marketplace (amazon.de, amazon.co.jp, ...): reference data shipped with the addon."""

    _name = "amazon.seller.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True, translate=True)
    marketplace_id = fields.Char(
        string="Marketplace ID", required=True, help="Amazon's identifier, e.g. ATVPDKIKX0DER."
    )
    region = fields.Selection(selection=const.REGIONS, required=True)
    country_id = fields.Many2one(comodel_name="res.country", required=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
    domain = fields.Char(required=True, help="The storefront's domain, e.g. amazon.de.")
    active = fields.Boolean(default=True)
    tz = fields.Char(
        string="Time Zone", compute="_compute_tz",
        help="Amazon sets this marketplace's ship-by and deliver-by deadlines in this time zone.")
    team_id = fields.Many2one(
        comodel_name="crm.team", string="Sales Team", company_dependent=True,
        help="Sales team of this marketplace's orders (per company); the account's otherwise.",
    )
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse", company_dependent=True,
        help="Warehouse shipping this marketplace's FBM orders (per company); the account's "
             "otherwise.",
    )

    _marketplace_id_unique = models.Constraint(
        "UNIQUE(marketplace_id)", "An Amazon marketplace ID can only be defined once."
    )

    def _compute_tz(self):
        for marketplace in self:
            marketplace.tz = const.MARKETPLACE_TIME_ZONES.get(marketplace.marketplace_id, "UTC")

    def _local_day_bounds(self, now):
        """Today's start and tomorrow's start in this marketplace's time zone, as naive UTC."""
        self.ensure_one()
        tz = pytz.timezone(self.tz)
        day = pytz.utc.localize(now).astimezone(tz).date()
        return tuple(tz.localize(datetime.combine(d, time.min)).astimezone(pytz.utc)
                     .replace(tzinfo=None) for d in (day, day + timedelta(days=1)))

    def _format_local(self, moment):
        """``moment`` (naive UTC) in this marketplace's time, with its zone's abbreviation
        (``2026-03-08 23:59 PDT``)."""
        if not moment:
            return False
        local = pytz.utc.localize(moment).astimezone(pytz.timezone(self.tz or "UTC"))
        return local.strftime("%Y-%m-%d %H:%M %Z")

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # the importer caches marketplace ids
        return super().create(vals_list)

    def write(self, vals):
        if "marketplace_id" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)
