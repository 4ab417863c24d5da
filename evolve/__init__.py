"""evolve: genetic improvement of Python programs."""

__version__ = "0.1.0"
