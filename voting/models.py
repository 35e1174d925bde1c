"""Ballots, dots and tallies arrive with the vote phase."""
