"""Monitoring: what the plan's figures say, built on plans and observations.

- :mod:`.assessments` turns indicators and their values into the progress
  engine's series and assessments (memoised per content version);
- :mod:`.sample_services` makes the simulated sample data of ``citystrat demo``;
- :mod:`.reminder_services` chases the values (and, later, the action updates) that
  are due or overdue (``citystrat remind``);
- commands ``citystrat status``, ``citystrat demo``, ``citystrat remind``.

It sits above ``observations`` (and the ``actions`` and ``activities`` layers
to come) and below ``exchange``, ``reports`` and the web layers.
"""
