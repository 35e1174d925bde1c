"""The floor: a stock Channels group consumer, nothing of the product around it."""
