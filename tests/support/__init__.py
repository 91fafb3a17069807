"""Helpers shared by the test tiers: loopback servers and throwaway services."""
