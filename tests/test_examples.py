"""Unit tests of backprop_helpers.examples: the data sets the notebooks share."""
import hashlib

import numpy as np

from backprop_helpers.examples import load_digits


def test_digits_are_the_uci_test_part_as_shipped():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the exact bytes converted from scikit-learn's digits.csv.gz (see data/README.md)
    digest = hashlib.sha256(images.tobytes() + labels.astype(np.uint8).tobytes()).hexdigest()
    assert digest == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def test_digits_are_fresh_arrays_on_every_call():
    first = load_digits()
    first.images[0, 0, 0] = 99
    assert load_digits().images[0, 0, 0] == 0
