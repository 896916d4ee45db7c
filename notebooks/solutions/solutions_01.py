"""Worked solutions to the exercises of notebook 01 (try them yourself first)."""

# Exercise 1: sizes [3, 2, 4, 1]. Each neuron of layer l is asked n_{l-1} + 1 times by its own
# weights and bias, and once more by every evaluation of every neuron of layer l - 1:
#     c_l = (n_{l-1} + 1) + n_{l-1} c_{l-1},   c_1 = n_0 + 1
c1 = 3 + 1                  # 4
c2 = (2 + 1) + 2 * c1       # 11
c3 = (4 + 1) + 4 * c2       # 49
# every neuron of layer l costs c_l evaluations: 2 neurons in layer 1, 4 in layer 2, 1 in layer 3
naive_calls_by_hand = 2 * c1 + 4 * c2 + 1 * c3   # 8 + 44 + 49 = 101

# Exercise 2: with the cache, count every call and take away the evaluations.
# Calls: one per parameter (2*(3+1) + 4*(2+1) + 1*(4+1) = 8 + 12 + 5 = 25), plus, for every δ
# that is evaluated below the output, one call per neuron it feeds (2 neurons of layer 1 feed
# 4 each, 4 neurons of layer 2 feed 1 each: 8 + 4 = 12). 37 calls in all.
# Evaluations: one per neuron, 2 + 4 + 1 = 7. Every other call finds its δ in the cache.
cache_look_ups_by_hand = (8 + 12 + 5) + (2 * 4 + 4 * 1) - (2 + 4 + 1)   # 30


def bottom_up_deltas(terms):
    """Exercise 3: the cache filled by loops, from the output layer down; no recursion at all.

    Each δ of layer l needs only the δs of layer l + 1, so filling the layers in the order
    L, L - 1, ..., 1 always finds what it needs already in the table: the order the cache of
    the recursion fills in, without the recursion (BP2 written out in loops).
    """
    delta = {}
    for j in range(terms.sizes[terms.L]):
        delta[terms.L, j] = terms.delta_output[j]                       # BP1
    for l in range(terms.L - 1, 0, -1):
        for j in range(terms.sizes[l]):
            total = 0.0
            for i in range(terms.sizes[l + 1]):                         # the neurons z_j^(l) feeds
                total += terms.W[l + 1][i][j] * delta[l + 1, i]
            delta[l, j] = terms.sigma_prime[l][j] * total               # BP2, one entry
    return delta


def graph_delta(terms, l, j, calls, cache):
    """Exercise 4: the cached recursion when a neuron can feed any later layer.

    The multivariable chain rule: z_j^(l) changes the loss through every neuron it feeds, so
    its δ adds one term per neuron in terms.feeds[l, j], whatever layer that neuron is in.
    The cache makes each δ one evaluation, however many paths reach it.
    """
    if (l, j) in cache:
        return cache[l, j]
    calls[l, j] += 1
    if l == terms.L:
        value = terms.delta_output[j]
    else:
        total = 0.0
        for (m, i), weight in terms.feeds[l, j]:
            total += weight * graph_delta(terms, m, i, calls, cache)
        value = terms.sigma_prime[l][j] * total
    cache[l, j] = value
    return value
