"""The older name of ``dnn_utils`` (``from dnn_utils_v2 import sigmoid, ...``): the same functions."""

from dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward  # noqa: F401
