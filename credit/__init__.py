"""Shared core of the public credit information warehouse.

Everything that more than one part of the project needs lives here: where the project keeps its
state (``settings``), where the warehouse is (``warehouse``), identifier and working-day rules.
"""
