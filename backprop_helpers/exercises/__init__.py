"""Checkers for the exercises at the end of each notebook.

Each ``check_<name>(answer)`` runs a learner's function (or looks at a learner's value) on
several inputs, edge cases included, compares with a reference it keeps to itself, and prints
one verdict line:

    [name] correct
    [name] not yet: <what is wrong, and a hint>
    [name] not attempted yet

It never prints the reference answer and never crashes on a learner's exception: it reports
it. A stub left as it is (``None``, ``...`` or a function raising NotImplementedError) counts
as not attempted, so a notebook with untouched exercises still runs top to bottom.
Checkers print and return nothing, so a check cell shows exactly one line;
``judge(name, answer)`` gives the same outcome as a value, for graders and tests.

Layout: ``core`` holds what every checker shares (verdicts, the registry, judging, hints);
``nbNN_<topic>`` holds notebook NN's checkers, and imports only what that notebook needs.

Adding an exercise to notebook NN:

1. In ``nbNN_<topic>.py`` write ``check_<name>(answer)``: return when the answer is right,
   ``raise WrongAnswer("hint")`` at the first problem (``diagnose`` picks the most specific
   hint among known mistakes). Decorate it with ``@exercise`` (the answer is a value) or
   ``@exercise(callable_answer=True)`` (the answer is a function). Name the learner's answer
   ``<name>`` too. Try a function on several argument sets, so that one hard-coded number
   cannot pass. Options: ``references=(package_function, ...)`` refuses the package's own
   answer (passed, wrapped or called); ``time_limit=seconds`` if the check legitimately needs
   more than ``core.TIME_LIMIT``. ``judge`` already stops endless loops, reports exceptions
   and exits, and tells an untouched stub from a half-done answer: a check only raises
   ``WrongAnswer`` (or lets the learner's exception through, ``learner_error`` adds a hint).
2. Import it here (the list below), so ``from backprop_helpers.exercises import check_<name>``
   works and graders see it.
3. Test the worked solution and each typical mistake's hint in ``tests/test_exercises_NN.py``.
"""
from .core import (CORRECT, NOT_ATTEMPTED, REGISTRY, WRONG, Verdict, WrongAnswer,
                   answer_or_fallback, exercise, judge)
from .nb01_naive import (NAIVE_CALLS_EXERCISE_SIZES, bottom_up_exercise_networks,
                         check_bottom_up_deltas, check_cache_look_ups_by_hand, check_graph_delta,
                         check_naive_calls_by_hand, graph_exercise_networks)
from .nb02_bp import (check_backprop_tanh, check_bce_output_delta, check_bp4_batch,
                      check_delta2_by_hand, check_input_gradient, delta2_exercise_network)
from .nb03_softmax import (SOFT_TARGET_EXERCISE_CASES, SOFTMAX_JACOBIAN_EXERCISE_LOGITS,
                           SOFTMAX_VJP_LARGE_SIZE, SOFTMAX_VJP_MEMORY_SIZE, SOFTMAX_VJP_TIME_LIMIT,
                           batch_exercise_cases, check_batch_cross_entropy,
                           check_batch_cross_entropy_gradient, check_soft_target_gradient,
                           check_softmax_jacobian, check_softmax_vjp)
from .nb04_scalar import (BUILD_UP, DIVIDE_EXERCISE_INPUTS, MICRO_BATCH_CASES, check_accumulated_step,
                          check_accumulation_prediction, check_add, check_backward,
                          check_backward_by_counting, check_divide, check_mul, check_neuron,
                          check_power, check_tanh, check_topological_order, references_among,
                          yours_or_reference)
from .nb05_tensor import (DIGITS_RECIPE_SECONDS, DIGITS_RECIPE_SEEDS, DIGITS_RECIPE_TARGET,
                          batched_weight_exercise_cases,
                          check_backward_in_order, check_batched_weight_gradient, check_digits_recipe,
                          check_log_softmax_cross_entropy, check_matmul_rule, check_max_backward,
                          check_mean_backward, check_softmax_on_node, check_sum_backward,
                          check_topological_sort, check_unbroadcast, digits_exercise_data,
                          log_softmax_exercise_cases, matmul_rule_exercise_shapes, max_backward_cases,
                          reduction_exercise_cases, softmax_exercise_logits, unbroadcast_exercise_cases)

__all__ = [
    "CORRECT", "NOT_ATTEMPTED", "REGISTRY", "WRONG", "Verdict", "WrongAnswer", "answer_or_fallback",
    "exercise", "judge",
    "NAIVE_CALLS_EXERCISE_SIZES", "bottom_up_exercise_networks", "check_bottom_up_deltas",
    "check_cache_look_ups_by_hand", "check_graph_delta", "check_naive_calls_by_hand",
    "graph_exercise_networks",
    "check_backprop_tanh", "check_bce_output_delta", "check_bp4_batch", "check_delta2_by_hand",
    "check_input_gradient", "delta2_exercise_network",
    "SOFT_TARGET_EXERCISE_CASES", "SOFTMAX_JACOBIAN_EXERCISE_LOGITS", "SOFTMAX_VJP_LARGE_SIZE",
    "SOFTMAX_VJP_MEMORY_SIZE", "SOFTMAX_VJP_TIME_LIMIT", "batch_exercise_cases",
    "check_batch_cross_entropy", "check_batch_cross_entropy_gradient", "check_soft_target_gradient",
    "check_softmax_jacobian", "check_softmax_vjp",
    "BUILD_UP", "check_add", "check_backward", "check_mul", "check_neuron", "check_power",
    "check_tanh", "check_topological_order", "references_among", "yours_or_reference",
    "DIVIDE_EXERCISE_INPUTS", "MICRO_BATCH_CASES", "check_accumulated_step",
    "check_accumulation_prediction", "check_backward_by_counting", "check_divide",
    "check_max_backward", "check_mean_backward", "check_softmax_on_node", "max_backward_cases",
    "reduction_exercise_cases", "softmax_exercise_logits", "DIGITS_RECIPE_SECONDS", "DIGITS_RECIPE_SEEDS",
    "DIGITS_RECIPE_TARGET",
    "batched_weight_exercise_cases", "check_batched_weight_gradient", "check_digits_recipe",
    "check_log_softmax_cross_entropy", "digits_exercise_data", "log_softmax_exercise_cases",
    "check_backward_in_order", "check_matmul_rule", "check_sum_backward", "check_topological_sort",
    "check_unbroadcast", "matmul_rule_exercise_shapes", "unbroadcast_exercise_cases",
]
