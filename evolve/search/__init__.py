"""The evolutionary search: DEAP machinery over patches, one seeded random generator."""

from evolve.search.algorithms import Algorithm
from evolve.search.engine import Search, SearchResult
from evolve.search.selection import Selection
from evolve.search.settings import SearchSettings
from evolve.search.stop import StopReason

__all__ = ["Algorithm", "Search", "SearchResult", "SearchSettings", "Selection", "StopReason"]
