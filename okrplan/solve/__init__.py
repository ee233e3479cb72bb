"""The optimizer: groups, the quota split, hires, rounding and phasing."""
