"""citystrat.progress: is the plan on track?  Pure Python, no Django.

Four assessment methods, side by side, for one indicator series or many:

``achievement``  achievement rate (達成度) graded by a plan's grading scale
``trajectory``   the latest value against the straight path to each target
``open-sdg``     the Open SDG / Statistics Canada progress measure and score
``forecast``     a fitted trend: forecasts, 80 %/95 % intervals, P(target reached)

Entry points: :func:`assess` (one series), :func:`assess_many` (vectorised
batch), :func:`assess_columns` (columns in, arrays out: the columnar path),
:func:`assess_json` (the ``citystrat assess`` JSON format) and
:func:`rollup`/:func:`summarize` (measures, policies, the plan).  The methods
are documented in ``docs/methods.md``.
"""

from . import survey
from .aggregate import (
    ACHIEVED,
    NOT_AVAILABLE,
    OFF_TRACK,
    ON_TRACK,
    Group,
    Rollup,
    Summary,
    classify,
    on_track,
    rollup,
    summarize,
)
from .batch import BatchArrays, Packed, compute, pack
from .columnar import ColumnarAssessment, SeriesColumns, assess_columns
from .engine import assess, assess_many
from .grading import PRESETS, Band, GradingScale, get_scale
from .jsonio import AssessInputError, assess_json, infer_period_kind, series_from_json
from .messages import Message, gettext_noop
from .model import (
    CAVEATS,
    METHODS,
    Assessment,
    Direction,
    MethodResult,
    Phase,
    Point,
    Series,
    SeriesError,
    Target,
    TargetAssessment,
    ValueKind,
    time_of,
)
from .rows import Rows
from .survey import SurveyPoint, SurveyResult, SurveyRule, assess_survey

__all__ = [
    "ACHIEVED",
    "CAVEATS",
    "METHODS",
    "NOT_AVAILABLE",
    "OFF_TRACK",
    "ON_TRACK",
    "PRESETS",
    "AssessInputError",
    "Assessment",
    "Band",
    "BatchArrays",
    "ColumnarAssessment",
    "Direction",
    "GradingScale",
    "Group",
    "Message",
    "MethodResult",
    "Packed",
    "Phase",
    "Point",
    "Rollup",
    "Rows",
    "Series",
    "SeriesColumns",
    "SeriesError",
    "Summary",
    "SurveyPoint",
    "SurveyResult",
    "SurveyRule",
    "Target",
    "TargetAssessment",
    "ValueKind",
    "assess",
    "assess_columns",
    "assess_json",
    "assess_many",
    "assess_survey",
    "classify",
    "compute",
    "get_scale",
    "gettext_noop",
    "infer_period_kind",
    "on_track",
    "pack",
    "rollup",
    "series_from_json",
    "summarize",
    "survey",
    "time_of",
]
