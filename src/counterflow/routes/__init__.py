"""Movements and logistics along the route (issue 8): the gazetteer, tracks and interception windows,
flows and displacement, and the Channel crossing outlook."""
