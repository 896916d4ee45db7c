"""Worked solutions to the exercises of notebook 01 (try them yourself first)."""

# Exercise 1: sizes [3, 2, 4, 1]. Each neuron of layer l is asked n_{l-1} + 1 times by its own
# weights and bias, and once more by every evaluation of every neuron of layer l - 1:
#     c_l = (n_{l-1} + 1) + n_{l-1} c_{l-1},   c_1 = n_0 + 1
c1 = 3 + 1                  # 4
c2 = (2 + 1) + 2 * c1       # 11
c3 = (4 + 1) + 4 * c2       # 49
# every neuron of layer l costs c_l evaluations: 2 neurons in layer 1, 4 in layer 2, 1 in layer 3
my_naive_calls = 2 * c1 + 4 * c2 + 1 * c3   # 8 + 44 + 49


def my_cached_delta(terms, l, j, calls, cache):
    """Exercise 2: naive_delta plus three lines: look up first, count real work, store the result."""
    if (l, j) in cache:
        return cache[l, j]                       # computed before: no new evaluation
    calls[l, j] += 1
    if l == terms.L:
        value = terms.delta_output[j]            # BP1: the base case
    else:
        total = 0.0
        for i in range(terms.sizes[l + 1]):      # every neuron i of layer l + 1 that z_j^(l) feeds
            total += terms.W[l + 1][i][j] * my_cached_delta(terms, l + 1, i, calls, cache)
        value = terms.sigma_prime[l][j] * total  # BP2, one entry
    cache[l, j] = value
    return value
