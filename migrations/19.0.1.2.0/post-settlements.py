"""After 19.0.1.2.0 is loaded: invoices and credit notes of Amazon orders name their order, which
is how settlements find what they pay."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE account_move move
           SET amazon_order_ref = so.amazon_order_ref
          FROM account_move_line aml
          JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
          JOIN sale_order_line sol ON sol.id = rel.order_line_id
          JOIN sale_order so ON so.id = sol.order_id
         WHERE aml.move_id = move.id
           AND move.amazon_order_ref IS NULL
           AND so.amazon_order_ref IS NOT NULL
    """)
