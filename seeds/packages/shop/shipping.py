"""Shipping costs, in cents."""

RATES = {"domestic": 499, "europe": 1299, "world": 2499}
FREE_FROM_CENTS = 10000  # domestic orders from this subtotal ship free


def shipping_cost(subtotal_cents, destination):
    """What shipping an order of `subtotal_cents` to `destination` costs."""
    if destination != "domestic" and subtotal_cents >= FREE_FROM_CENTS:
        return 0
    return RATES[destination]
