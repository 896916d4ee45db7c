"""backprop_helpers: the math, example networks, engines, checks, figures and widgets of the
backprop course.

Rooms (each imports only rooms listed after it):
    grade          the instructors' command: run learners' notebooks, list every verdict
    run_notebooks  the maintainers' command: re-execute the course notebooks in place
    widgets        explorers: a pure compute function plus an ipywidgets view
    exercises      checkers that give a learner instant feedback on their own code: a shared
                   core and one module per notebook
    plots          matplotlib figures: network diagrams, call counts, graphs, broadcasting
    naive          naive recursive dL/dz with call counts, its cached twin, closed-form counts
    examples       the fixed networks and data sets of the notebooks
    nn             Neuron, Layer, MLP on Value, and a training loop
    gradcheck      central differences, relative error, a report table
    network        the feed-forward network: forward pass and BP1–BP4
    tensor         Node: numpy reverse-mode autograd with broadcasting
    scalar         Value: scalar reverse-mode autograd
    losses         half squared error, cross-entropy from logits
    activations    sigmoid, ReLU, tanh, softmax, all stable
"""
__version__ = "0.1.0"
