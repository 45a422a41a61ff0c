"""The activity ledger: records of the city's work, and the count indicators computed from them.

An activity record is one thing the city did or counted (an event, a seminar,
a consultation, an exchange visit, ...), of a kind from the plan's
vocabulary, belonging to an action and a department.  Indicators whose plan
entry has a ``rule`` are counted from the approved records
(:mod:`.rules`, pure Python) and proposed as submitted observations through
the observations services, with the records behind each value.
"""
