"""backprop_helpers: the math, example networks, checks, figures and widgets of the backprop course.

Rooms (each imports only rooms listed after it):
    widgets      explorers: a pure compute function plus a view
    plots        matplotlib figures
    gradcheck    central differences and a report table
    examples     the fixed networks of the notebooks
    network      the feed-forward network: forward pass and BP1–BP4
    losses       half squared error, cross-entropy from logits
    activations  sigmoid, ReLU, tanh, softmax, all stable
"""
__version__ = "0.1.0"
