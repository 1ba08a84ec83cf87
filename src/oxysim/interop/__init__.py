"""Interoperability: SBML export (and, later, PEtab and data import)."""
