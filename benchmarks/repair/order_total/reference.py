"""Reference for order_total: the correct program (one module standing in for the seed's
package) and the inputs its cases are made from."""

from __future__ import annotations

import random

BULK_QUANTITY = 10
BULK_PERCENT_OFF = 10
RATES = {"domestic": 499, "europe": 1299, "world": 2499}
FREE_FROM_CENTS = 10000


def line_price(unit_cents, quantity):
    price = unit_cents * quantity
    if quantity >= BULK_QUANTITY:
        price -= price * BULK_PERCENT_OFF // 100
    return price


def shipping_cost(subtotal_cents, destination):
    if destination == "domestic" and subtotal_cents >= FREE_FROM_CENTS:
        return 0
    return RATES[destination]


def order_total(lines, destination):
    """The total of an order in cents: every line's price (10% off lines of 10 or more
    items), plus shipping (free for domestic orders from 100.00); an empty order is 0."""
    if not lines:
        return 0
    subtotal = 0
    for unit_cents, quantity in lines:
        subtotal += line_price(unit_cents, quantity)
    return subtotal + shipping_cost(subtotal, destination)


DESTINATIONS = sorted(RATES)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], "domestic"],
        [[[250, 1]], "domestic"],
        [[[250, 10]], "europe"],
        [[[99, 12]], "world"],
        [[[1000, 9]], "domestic"],
        [[[1000, 10]], "domestic"],
        [[[5000, 2]], "domestic"],
        [[[5000, 2]], "europe"],
        [[[12000, 1]], "world"],
        [[[300, 3], [150, 10]], "domestic"],
        [[[2500, 4], [10, 1]], "domestic"],
        [[[700, 11]], "europe"],
        [[[40, 1], [60, 2]], "world"],
        [[[11000, 1]], "domestic"],
    ]
    cases = [(args, {}) for args in search]
    while len(cases) < len(search) + 80:
        lines = [
            [rng.choice([5, 99, 250, 499, 1000, 2500, 4999]), rng.randint(1, 15)]
            for _ in range(rng.randint(0, 4))
        ]
        cases.append(([lines, rng.choice(DESTINATIONS)], {}))
    return cases
