"""How likely a plan is: a Monte Carlo over its funnel's uncertain rates and activity.

:func:`okrplan.forecast.run.forecast` answers per unit and for the company: P(hit its target),
P10 / P50 / P90 of the outcome (commit / median / stretch: reached with 90% / 50% / 10%
probability), and with a confidence, the activity multiplier and buffer that give it.
"""
