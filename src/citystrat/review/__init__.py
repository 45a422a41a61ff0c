"""One review state machine for everything that staff write and reviewers decide.

Values (observations), narratives, and the action updates, ledger entries
and evaluations that come later all move through the same six states with
the same rules, the same error type and the same optimistic lock.  This
package is low in the layer contract (above ``accounts`` and ``audit``,
below ``plans``), so any app can use it without importing another app.

States (:class:`citystrat.review.states.State`)::

    draft ──submit──▶ submitted ──approve──▶ approved ──supersede──▶ superseded
      ▲  │                │  ▲                   (when a correction is approved)
      │  └─withdraw─┐  return │
    edit            ▼     ▼  submit
      └────────── returned ──withdraw──▶ withdrawn

- ``draft`` and ``returned`` are *editable* (:data:`EDITABLE`); with
  ``submitted`` they are *open* (:data:`OPEN`): at most one open and one
  approved record per subject and period (the model's unique constraints).
- a new record for a period that already has an approved one is a
  correction: it ``supersedes`` that record, which stays public until the
  correction is approved and then becomes ``superseded`` (kept, never deleted).
- ``withdrawn`` records are kept; the period is free again.

Using it in an app (see ``observations`` and ``reports`` for two examples):

1. The model inherits :class:`citystrat.review.models.Reviewed` (fields
   ``status``, ``version``, ``supersedes``, ``created_by``/``at``,
   ``changed_by``, ``submitted_by``/``at``, ``decided_by``/``at``,
   ``decision_reason``) and defines ``audit_type`` (e.g.
   ``"observations.observation"``), ``audit_label()``, ``audit_plan_code()``,
   ``audit_snapshot()`` and ``slot()`` (filter keywords naming its subject
   and period, e.g. ``{"indicator_id": 3, "period_kind": "fiscal_year",
   "period_start": date(2024, 4, 1)}``).
2. The app's ``services.py`` checks permission
   (:func:`citystrat.accounts.permissions.require`) and its own input
   rules, then calls the transition functions of
   :mod:`citystrat.review.services`, all keyword-only, each inside
   ``transaction.atomic`` and each writing one audit record
   ``<audit_type>.<move>`` (``create``, ``edit``, ``submit``, ``approve``,
   ``return``, ``withdraw``, ``supersede``)::

       review_create(record=unsaved, actor=a, channel=c)          -> record
       review_edit(record=r, actor=a, fields={...}, expected_version=v, channel=c)
       review_submit(record=r, actor=a, expected_version=v, channel=c)
       review_approve(record=r, actor=a, expected_version=v, reason="", channel=c,
                      four_eyes_exception="")
       review_return(record=r, actor=a, reason="why", expected_version=v, channel=c)
       review_withdraw(record=r, actor=a, reason="", expected_version=v, channel=c)

   ``expected_version`` is the one optimistic-lock parameter: the version
   the caller read (``None``: the version of the object passed in).  Each
   change is a conditional ``UPDATE ... WHERE version = v`` that bumps the
   version, after re-reading the row ``SELECT ... FOR UPDATE``.
3. Errors: every refusal is a :class:`citystrat.review.errors.ReviewError`
   (a Django ``ValidationError`` with ``message``, ``field`` and ``code``);
   a lost optimistic lock is its subclass ``ConflictError`` (code
   ``conflict``, HTTP 409) and a four-eyes refusal ``FourEyesError`` (code
   ``four_eyes``, HTTP 403).

Four eyes: nobody approves a record they submitted or last changed
(:func:`citystrat.review.services.check_four_eyes`).  A plan may allow a
*named* exception (e.g. ``statistics_import``: a coordinator importing and
approving a statistics office's figures); the caller passes
``four_eyes_exception=<name>`` only when the plan allows it, and the audit
record of the approval says so (``after["four_eyes_exception"]``).
"""
