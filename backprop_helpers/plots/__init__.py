"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn. One module per notebook,
plus `style` (palette, `show_figure`); every name is re-exported here, so
`from backprop_helpers.plots import show_figure` works."""

from .style import OKABE_ITO, show_figure
from .nb01_naive import (
    LOOKUP_COLOUR,
    ONCE_COLOUR,
    REPEATED_COLOUR,
    call_tree_comparison,
    call_tree_legend,
    counts_on_network_comparison,
    delta_label,
    plot_call_growth,
    plot_call_tree,
    plot_counts_on_network,
    plot_gradient_cost,
    plot_skip_network,
    plot_step_size_sweep,
)
from .nb02_bp import (
    AnnotatedNetwork,
    LAYER_COLOURS,
    PATH_COLOURS,
    PATH_STYLES,
    TARGET_COLOUR,
    network_diagram,
    neuron_label,
    plot_annotated_network,
    plot_sigmoid_operating_points,
    unicode_name,
)
from .nb03_softmax import (
    MARGIN_RANGE,
    SOFTMAX_JACOBIAN_BOUND,
    MarginCurves,
    margin_curves,
    plot_dead_unit,
    plot_jacobian,
    plot_margin_losses,
    plot_relu,
    plot_simplex,
    simplex_point,
)
from .nb04_scalar import (
    CLASS_COLOURS,
    CLASS_MARKERS,
    CURVE_COLOURS,
    CURVE_MARKERS,
    CURVE_STYLES,
    GRAPH_LEAF,
    GRAPH_ORDER,
    GRAPH_VALUE,
    draw_graph,
    graph_layout,
    graph_order,
    plot_curves,
    plot_decision_boundary,
)
from .nb05_tensor import (
    broadcast_backward,
    broadcast_pair,
    digit_gallery,
    plot_confusion,
    plot_training_curves,
    shape_graph,
    weight_images,
)
