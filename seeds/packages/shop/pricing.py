"""Prices of order lines, in cents."""

BULK_QUANTITY = 10  # lines of this many items or more get the bulk discount
BULK_PERCENT_OFF = 10


def line_price(unit_cents, quantity):
    """The price of `quantity` items at `unit_cents` each, bulk discount applied."""
    price = unit_cents * quantity
    if quantity > BULK_QUANTITY:
        price -= price * BULK_PERCENT_OFF // 100
    return price
