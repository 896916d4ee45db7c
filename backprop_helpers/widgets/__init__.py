"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser. One module per notebook; every name is re-exported here, so
`from backprop_helpers.widgets import explore_margin` works."""

from .nb01_naive import (
    FULL_GRADIENT,
    ONE_REQUEST,
    RECURSION_FIGURE_DESCRIPTION,
    RECURSION_NETWORKS,
    RecursionStep,
    explore_recursion,
    recursion_step,
    recursion_step_png,
)
from .nb02_bp import (
    NUDGE_SPAN,
    NudgePlot,
    NudgeReadout,
    WalkthroughPlot,
    WalkthroughState,
    explore_nudge,
    explore_walkthrough,
    nudge_readout,
    parameter_description,
    parameter_label,
    walkthrough_parameters,
    walkthrough_state,
)
from .nb03_softmax import (
    LOGIT_LABELS,
    MARGIN_LABEL,
    MARGIN_NAME,
    MAX_LOGIT,
    MarginReadout,
    ThreeClassReadout,
    explore_margin,
    explore_three_classes,
    margin_readout,
    three_class_readout,
)
from .nb04_scalar import (
    BACKWARD_GRAPHS,
    BACKWARD_STEP_LABEL,
    BackwardStep,
    backward_step,
    backward_step_alt,
    explore_backward,
    plot_backward_step,
)
from .nb05_tensor import (
    SHAPE_LABELS,
    BroadcastReadout,
    explore_unbroadcast,
    unbroadcast_readout,
)
from .screen_reader import NAME_SLIDERS_JS, sliders_of
