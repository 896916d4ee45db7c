"""backprop_helpers: the math, example networks, engines, checks, figures and widgets of the
backprop course.

Modules, highest first (each imports only modules listed after it):
    grade          grading learners' notebooks, for instructors (the grade-exercises command)
    grade_export   the grades as Gradescope and GitHub Classroom read them; Gradescope's autograder
    judge          the grader's verdicts, decided in its own process from the answers' results
    run_notebooks  re-executing the notebooks, for maintainers (the run-notebooks command)
    site           the course website from the stored notebooks (the build-site command)
    widgets/       explorers: a pure compute function plus an ipywidgets view
    exercises/     checkers that give a learner instant feedback on their own code: a shared
                   core and one module per notebook
    plots/         matplotlib figures, one module per notebook, and the palette and show_figure
    naive          naive recursive ∂𝓛/∂z with call counts, its cached twin, closed-form counts
    examples       the fixed networks and data sets of the notebooks
    nn             Neuron, Layer, MLP on Value, and a training loop
    gradcheck      central differences, relative error, a report table
    network        the feed-forward network: forward pass and BP1–BP4, layer-size validation
    tensor         Node: reverse-mode autograd on numpy arrays, with broadcasting
    broadcasting   the axes a gradient is summed over; shape errors that name the axis
    scalar         Value: reverse-mode autograd on single numbers
    losses         half squared error, cross-entropy from logits
    activations    sigmoid, ReLU, tanh, softmax, all stable
"""


def _version():
    """The version, written once in pyproject.toml: the installed package's metadata, or, in a
    source tree used without installing it, pyproject.toml itself ("unknown" if neither is there)."""
    from importlib import metadata
    try:
        return metadata.version("backprop-helpers")
    except metadata.PackageNotFoundError:
        import re
        from pathlib import Path
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = pyproject.is_file() and re.search(r'^version = "([^"]+)"', pyproject.read_text(), re.M)
        return found.group(1) if found else "unknown"


__version__ = _version()
