"""Benchmarks: upload throughput against the floor and pywikibot, and planning at scale.

``python -m bench`` runs everything and prints the tables; see BENCHMARKS.md.
"""
