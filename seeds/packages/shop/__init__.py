"""A small shop: the total of an order, from its lines and where it ships."""

from shop.orders import order_total

__all__ = ["order_total"]
