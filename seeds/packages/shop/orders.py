"""Orders: lines of (unit price in cents, quantity), and a destination."""

from shop.pricing import line_price
from shop.shipping import shipping_cost


def order_total(lines, destination):
    """The total of an order in cents: every line's price, plus shipping.

    An empty order costs nothing, not even shipping.
    """
    if not lines:
        return 0
    subtotal = 0
    for unit_cents, quantity in lines:
        subtotal += line_price(unit_cents, quantity)
    return subtotal + shipping_cost(subtotal, destination)
