import dataclasses

import numpy as np

from golden.outputs import class_probabilities, dequantize_outputs, output_scale
from golden.synthetic import random_legal_model


def wide_model(shift: int, bits: int):
    model = random_legal_model(np.random.default_rng(1), wide_output=True)
    last = dataclasses.replace(model.layers[-1], output_shift=shift, weight_bits=bits)
    last.weights = np.clip(last.weights, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return dataclasses.replace(model, layers=[*model.layers[:-1], last])


def test_wide_scale_is_two_to_the_6_plus_q_minus_shift():
    assert output_scale(wide_model(shift=-1, bits=8)) == 2.0 ** -(6 + 8 + 1)
    assert output_scale(wide_model(shift=2, bits=4)) == 2.0 ** -(6 + 4 - 2)


def test_eight_bit_outputs_are_q7():
    model = random_legal_model(np.random.default_rng(2), wide_output=False)
    assert not model.layers[-1].wide
    np.testing.assert_array_equal(dequantize_outputs(model, np.array([128, -64])), [1.0, -0.5])


def test_probabilities_are_a_softmax_that_keeps_the_argmax():
    model = wide_model(shift=0, bits=8)
    outputs = np.array([[1000, -2000, 16384, 0, 5, 7, 9], [0, 0, 0, 0, 0, 0, 0]])
    probs = class_probabilities(model, outputs)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs[0].argmax() == 2
    np.testing.assert_allclose(probs[1], 1 / 7)
    logits = outputs[0] * output_scale(model)
    expected = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(probs[0], expected)
