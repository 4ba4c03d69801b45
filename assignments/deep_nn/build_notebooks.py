"""Build the "Building your Deep Neural Network: Step by Step" starter notebook and samples.

This script is the source of truth for every notebook of the assignment; the .ipynb
files next to it are generated and committed. Run

    python assignments/deep_nn/build_notebooks.py [OUT_DIR]

to write OUT_DIR/Building_your_Deep_Neural_Network_Step_by_Step.ipynb and
OUT_DIR/samples/*.ipynb (OUT_DIR defaults to this script's folder). Output is
deterministic.

The notebook mirrors the Deep Learning Specialization's notebook (course 1, week 4):
the same imports (``testCases``, ``dnn_utils``, ``public_tests``), the same ten graded
functions with the same signatures and cache convention, and the same test cells.
tests/fixtures/deep_nn/build_fixtures.py imports this file by path and reuses SOLUTION,
build_notebook and replace_once to derive one-bug variants.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # run as a script: this checkout's package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assignments._notebook_builder import OPEN, build, fill, replace_once, with_changes  # noqa: E402,F401
from assignments._notebook_builder import main as _main, write_assignment, write_notebook  # noqa: E402,F401

GRADED_FUNCTIONS = (
    "initialize_parameters", "initialize_parameters_deep", "linear_forward", "linear_activation_forward",
    "L_model_forward", "compute_cost", "linear_backward", "linear_activation_backward", "L_model_backward",
    "update_parameters",
)
STARTER_FILENAME = "Building_your_Deep_Neural_Network_Step_by_Step.ipynb"

_INIT = r'''# GRADED FUNCTION: initialize_parameters

def initialize_parameters(n_x, n_h, n_y):
    """
    Argument:
    n_x -- size of the input layer
    n_h -- size of the hidden layer
    n_y -- size of the output layer

    Returns:
    parameters -- python dictionary containing your parameters:
                    W1 -- weight matrix of shape (n_h, n_x)
                    b1 -- bias vector of shape (n_h, 1)
                    W2 -- weight matrix of shape (n_y, n_h)
                    b2 -- bias vector of shape (n_y, 1)
    """

    np.random.seed(1)

    #(≈ 4 lines of code)
    # W1 = ...
    # b1 = ...
    # W2 = ...
    # b2 = ...
    # YOUR CODE STARTS HERE
    W1 = None
    b1 = None
    W2 = None
    b2 = None
    # YOUR CODE ENDS HERE

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}

    return parameters
'''

_INIT_DEEP = r'''# GRADED FUNCTION: initialize_parameters_deep

def initialize_parameters_deep(layer_dims):
    """
    Arguments:
    layer_dims -- python array (list) containing the dimensions of each layer in our network

    Returns:
    parameters -- python dictionary containing your parameters "W1", "b1", ..., "WL", "bL":
                    Wl -- weight matrix of shape (layer_dims[l], layer_dims[l-1])
                    bl -- bias vector of shape (layer_dims[l], 1)
    """

    np.random.seed(3)
    parameters = {}
    L = len(layer_dims) # number of layers in the network

    for l in range(1, L):
        #(≈ 2 lines of code)
        # parameters['W' + str(l)] = ...
        # parameters['b' + str(l)] = ...
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE

    return parameters
'''

_LINEAR_FORWARD = r'''# GRADED FUNCTION: linear_forward

def linear_forward(A, W, b):
    """
    Implement the linear part of a layer's forward propagation.

    Arguments:
    A -- activations from previous layer (or input data): (size of previous layer, number of examples)
    W -- weights matrix: numpy array of shape (size of current layer, size of previous layer)
    b -- bias vector, numpy array of shape (size of the current layer, 1)

    Returns:
    Z -- the input of the activation function, also called pre-activation parameter
    cache -- a python tuple containing "A", "W" and "b" ; stored for computing the backward pass efficiently
    """

    #(≈ 1 line of code)
    # Z = ...
    # YOUR CODE STARTS HERE
    Z = None
    # YOUR CODE ENDS HERE
    cache = (A, W, b)

    return Z, cache
'''

_LINEAR_ACTIVATION_FORWARD = r'''# GRADED FUNCTION: linear_activation_forward

def linear_activation_forward(A_prev, W, b, activation):
    """
    Implement the forward propagation for the LINEAR->ACTIVATION layer

    Arguments:
    A_prev -- activations from previous layer (or input data): (size of previous layer, number of examples)
    W -- weights matrix: numpy array of shape (size of current layer, size of previous layer)
    b -- bias vector, numpy array of shape (size of the current layer, 1)
    activation -- the activation to be used in this layer, stored as a text string: "sigmoid" or "relu"

    Returns:
    A -- the output of the activation function, also called the post-activation value
    cache -- a python tuple containing "linear_cache" and "activation_cache";
             stored for computing the backward pass efficiently
    """

    if activation == "sigmoid":
        #(≈ 2 lines of code)
        # Z, linear_cache = ...
        # A, activation_cache = ...
        # YOUR CODE STARTS HERE
        Z, linear_cache = None, None
        A, activation_cache = None, None
        # YOUR CODE ENDS HERE

    elif activation == "relu":
        #(≈ 2 lines of code)
        # Z, linear_cache = ...
        # A, activation_cache = ...
        # YOUR CODE STARTS HERE
        Z, linear_cache = None, None
        A, activation_cache = None, None
        # YOUR CODE ENDS HERE
    cache = (linear_cache, activation_cache)

    return A, cache
'''

_L_MODEL_FORWARD = r'''# GRADED FUNCTION: L_model_forward

def L_model_forward(X, parameters):
    """
    Implement forward propagation for the [LINEAR->RELU]*(L-1)->LINEAR->SIGMOID computation

    Arguments:
    X -- data, numpy array of shape (input size, number of examples)
    parameters -- output of initialize_parameters_deep()

    Returns:
    AL -- activation value from the output (last) layer
    caches -- list of caches containing:
                every cache of linear_activation_forward() (there are L of them, indexed from 0 to L-1)
    """

    caches = []
    A = X
    L = len(parameters) // 2                  # number of layers in the neural network

    # The for loop starts at 1 because layer 0 is the input
    for l in range(1, L):
        A_prev = A
        #(≈ 2 lines of code)
        # A, cache = ...
        # caches ...
        # YOUR CODE STARTS HERE
        A, cache = None, None
        # YOUR CODE ENDS HERE

    #(≈ 2 lines of code)
    # AL, cache = ...
    # caches ...
    # YOUR CODE STARTS HERE
    AL, cache = None, None
    # YOUR CODE ENDS HERE

    return AL, caches
'''

_COST = r'''# GRADED FUNCTION: compute_cost

def compute_cost(AL, Y):
    """
    Implement the cost function defined by equation (7).

    Arguments:
    AL -- probability vector corresponding to your label predictions, shape (1, number of examples)
    Y -- true "label" vector (for example: containing 0 if non-cat, 1 if cat), shape (1, number of examples)

    Returns:
    cost -- cross-entropy cost
    """

    m = Y.shape[1]

    # Compute loss from aL and y.
    #(≈ 1 lines of code)
    # cost = ...
    # YOUR CODE STARTS HERE
    cost = None
    # YOUR CODE ENDS HERE

    cost = np.squeeze(cost)      # To make sure your cost's shape is what we expect (e.g. this turns [[17]] into 17).

    return cost
'''

_LINEAR_BACKWARD = r'''# GRADED FUNCTION: linear_backward

def linear_backward(dZ, cache):
    """
    Implement the linear portion of backward propagation for a single layer (layer l)

    Arguments:
    dZ -- Gradient of the cost with respect to the linear output (of current layer l)
    cache -- tuple of values (A_prev, W, b) coming from the forward propagation in the current layer

    Returns:
    dA_prev -- Gradient of the cost with respect to the activation (of the previous layer l-1), same shape as A_prev
    dW -- Gradient of the cost with respect to W (current layer l), same shape as W
    db -- Gradient of the cost with respect to b (current layer l), same shape as b
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]

    ### START CODE HERE ### (≈ 3 lines of code)
    # dW = ...
    # db = ... sum by the rows of dZ with keepdims=True
    # dA_prev = ...
    # YOUR CODE STARTS HERE
    dW = None
    db = None
    dA_prev = None
    # YOUR CODE ENDS HERE

    return dA_prev, dW, db
'''

_LINEAR_ACTIVATION_BACKWARD = r'''# GRADED FUNCTION: linear_activation_backward

def linear_activation_backward(dA, cache, activation):
    """
    Implement the backward propagation for the LINEAR->ACTIVATION layer.

    Arguments:
    dA -- post-activation gradient for current layer l
    cache -- tuple of values (linear_cache, activation_cache) we store for computing backward propagation efficiently
    activation -- the activation to be used in this layer, stored as a text string: "sigmoid" or "relu"

    Returns:
    dA_prev -- Gradient of the cost with respect to the activation (of the previous layer l-1), same shape as A_prev
    dW -- Gradient of the cost with respect to W (current layer l), same shape as W
    db -- Gradient of the cost with respect to b (current layer l), same shape as b
    """
    linear_cache, activation_cache = cache

    if activation == "relu":
        #(≈ 2 lines of code)
        # dZ =  ...
        # dA_prev, dW, db =  ...
        # YOUR CODE STARTS HERE
        dA_prev, dW, db = None, None, None
        # YOUR CODE ENDS HERE

    elif activation == "sigmoid":
        #(≈ 2 lines of code)
        # dZ =  ...
        # dA_prev, dW, db =  ...
        # YOUR CODE STARTS HERE
        dA_prev, dW, db = None, None, None
        # YOUR CODE ENDS HERE

    return dA_prev, dW, db
'''

_L_MODEL_BACKWARD = r'''# GRADED FUNCTION: L_model_backward

def L_model_backward(AL, Y, caches):
    """
    Implement the backward propagation for the [LINEAR->RELU] * (L-1) -> LINEAR -> SIGMOID group

    Arguments:
    AL -- probability vector, output of the forward propagation (L_model_forward())
    Y -- true "label" vector (containing 0 if non-cat, 1 if cat)
    caches -- list of caches containing:
                every cache of linear_activation_forward() with "relu" (it's caches[l], for l in range(L-1) i.e l = 0...L-2)
                the cache of linear_activation_forward() with "sigmoid" (it's caches[L-1])

    Returns:
    grads -- A dictionary with the gradients
             grads["dA" + str(l)] = ...
             grads["dW" + str(l)] = ...
             grads["db" + str(l)] = ...
    """
    grads = {}
    L = len(caches) # the number of layers
    m = AL.shape[1]
    Y = Y.reshape(AL.shape) # after this line, Y is the same shape as AL

    # Initializing the backpropagation
    #(1 line of code)
    # dAL = ...
    # YOUR CODE STARTS HERE
    dAL = None
    # YOUR CODE ENDS HERE

    # Lth layer (SIGMOID -> LINEAR) gradients. Inputs: "dAL, current_cache". Outputs: "grads["dAL-1"], grads["dWL"], grads["dbL"]
    #(approx. 5 lines)
    # current_cache = ...
    # dA_prev_temp, dW_temp, db_temp = ...
    # grads["dA" + str(L-1)] = ...
    # grads["dW" + str(L)] = ...
    # grads["db" + str(L)] = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE

    # Loop from l=L-2 to l=0
    for l in reversed(range(L-1)):
        # lth layer: (RELU -> LINEAR) gradients.
        # Inputs: "grads["dA" + str(l + 1)], current_cache". Outputs: "grads["dA" + str(l)] , grads["dW" + str(l + 1)] , grads["db" + str(l + 1)]
        #(approx. 5 lines)
        # current_cache = ...
        # dA_prev_temp, dW_temp, db_temp = ...
        # grads["dA" + str(l)] = ...
        # grads["dW" + str(l + 1)] = ...
        # grads["db" + str(l + 1)] = ...
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE

    return grads
'''

_UPDATE = r'''# GRADED FUNCTION: update_parameters

def update_parameters(params, grads, learning_rate):
    """
    Update parameters using gradient descent

    Arguments:
    params -- python dictionary containing your parameters
    grads -- python dictionary containing your gradients, output of L_model_backward

    Returns:
    parameters -- python dictionary containing your updated parameters
                  parameters["W" + str(l)] = ...
                  parameters["b" + str(l)] = ...
    """
    parameters = copy.deepcopy(params)
    L = len(parameters) // 2 # number of layers in the neural network

    # Update rule for each parameter. Use a for loop.
    #(≈ 2 lines of code)
    for l in range(L):
        # parameters["W" + str(l+1)] = ...
        # parameters["b" + str(l+1)] = ...
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE
    return parameters
'''

# Function-cell code of the unmodified starter notebook.
STARTER: Mapping[str, str] = {
    "initialize_parameters": _INIT,
    "initialize_parameters_deep": _INIT_DEEP,
    "linear_forward": _LINEAR_FORWARD,
    "linear_activation_forward": _LINEAR_ACTIVATION_FORWARD,
    "L_model_forward": _L_MODEL_FORWARD,
    "compute_cost": _COST,
    "linear_backward": _LINEAR_BACKWARD,
    "linear_activation_backward": _LINEAR_ACTIVATION_BACKWARD,
    "L_model_backward": _L_MODEL_BACKWARD,
    "update_parameters": _UPDATE,
}

_OPEN8 = "    " + OPEN
_ACT_STARTER = _OPEN8 + "        Z, linear_cache = None, None\n        A, activation_cache = None, None\n"
_BACK_STARTER = _OPEN8 + "        dA_prev, dW, db = None, None, None\n"



def _in_order(code: str, placeholder: str, answers: tuple[str, ...]) -> str:
    """Fill the identical blocks ``placeholder`` of ``code`` with ``answers``, first to last."""
    if code.count(placeholder) != len(answers):
        raise ValueError(f"expected {len(answers)} occurrences of {placeholder!r}, found {code.count(placeholder)}")
    for answer in answers:
        code = code.replace(placeholder, answer, 1)
    return code


# Correct solutions: the starter with the YOUR CODE blocks filled in.
SOLUTION: Mapping[str, str] = {
    "initialize_parameters": fill(_INIT, [(
        OPEN + "    W1 = None\n    b1 = None\n    W2 = None\n    b2 = None\n",
        OPEN + "    W1 = np.random.randn(n_h, n_x) * 0.01\n    b1 = np.zeros((n_h, 1))\n"
               "    W2 = np.random.randn(n_y, n_h) * 0.01\n    b2 = np.zeros((n_y, 1))\n")]),
    "initialize_parameters_deep": fill(_INIT_DEEP, [(
        _OPEN8 + "        pass\n",
        _OPEN8 + "        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01\n"
                 "        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))\n")]),
    "linear_forward": fill(_LINEAR_FORWARD, [(OPEN + "    Z = None\n", OPEN + "    Z = np.dot(W, A) + b\n")]),
    "linear_activation_forward": _in_order(_LINEAR_ACTIVATION_FORWARD, _ACT_STARTER, (
        _OPEN8 + "        Z, linear_cache = linear_forward(A_prev, W, b)\n        A, activation_cache = sigmoid(Z)\n",
        _OPEN8 + "        Z, linear_cache = linear_forward(A_prev, W, b)\n        A, activation_cache = relu(Z)\n")),
    "L_model_forward": fill(_L_MODEL_FORWARD, [
        (_OPEN8 + "        A, cache = None, None\n",
         _OPEN8 + "        A, cache = linear_activation_forward(A_prev, parameters['W' + str(l)], parameters['b' + str(l)], "
                  "\"relu\")\n        caches.append(cache)\n"),
        (OPEN + "    AL, cache = None, None\n",
         OPEN + "    AL, cache = linear_activation_forward(A, parameters['W' + str(L)], parameters['b' + str(L)], "
                "\"sigmoid\")\n    caches.append(cache)\n")]),
    "compute_cost": fill(_COST, [(OPEN + "    cost = None\n",
                                  OPEN + "    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))\n")]),
    "linear_backward": fill(_LINEAR_BACKWARD, [(
        OPEN + "    dW = None\n    db = None\n    dA_prev = None\n",
        OPEN + "    dW = 1 / m * np.dot(dZ, A_prev.T)\n    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)\n"
               "    dA_prev = np.dot(W.T, dZ)\n")]),
    "linear_activation_backward": _in_order(_LINEAR_ACTIVATION_BACKWARD, _BACK_STARTER, (
        _OPEN8 + "        dZ = relu_backward(dA, activation_cache)\n"
                 "        dA_prev, dW, db = linear_backward(dZ, linear_cache)\n",
        _OPEN8 + "        dZ = sigmoid_backward(dA, activation_cache)\n"
                 "        dA_prev, dW, db = linear_backward(dZ, linear_cache)\n")),
    "L_model_backward": fill(_L_MODEL_BACKWARD, [
        (OPEN + "    dAL = None\n", OPEN + "    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))\n"),
        (OPEN + "    pass\n",
         OPEN + "    current_cache = caches[L - 1]\n"
                "    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, \"sigmoid\")\n"
                "    grads[\"dA\" + str(L - 1)] = dA_prev_temp\n"
                "    grads[\"dW\" + str(L)] = dW_temp\n"
                "    grads[\"db\" + str(L)] = db_temp\n"),
        (_OPEN8 + "        pass\n",
         _OPEN8 + "        current_cache = caches[l]\n"
                  "        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads[\"dA\" + str(l + 1)], "
                  "current_cache, \"relu\")\n"
                  "        grads[\"dA\" + str(l)] = dA_prev_temp\n"
                  "        grads[\"dW\" + str(l + 1)] = dW_temp\n"
                  "        grads[\"db\" + str(l + 1)] = db_temp\n")]),
    "update_parameters": fill(_UPDATE, [(
        _OPEN8 + "        pass\n",
        _OPEN8 + "        parameters[\"W\" + str(l+1)] = parameters[\"W\" + str(l+1)] - learning_rate * grads[\"dW\" + str(l+1)]\n"
                 "        parameters[\"b\" + str(l+1)] = parameters[\"b\" + str(l+1)] - learning_rate * grads[\"db\" + str(l+1)]\n")]),
}

# Older versions of the notebook (testCases_v3 era): the input gradient of layer l is
# keyed dA{l}, not dA{l-1}; the grader accepts both.
OLD_DA_CONVENTION = fill(SOLUTION["L_model_backward"], [
    ('grads["dA" + str(L - 1)] = dA_prev_temp\n', 'grads["dA" + str(L)] = dA_prev_temp\n'),
    ('linear_activation_backward(grads["dA" + str(l + 1)], current_cache', 'linear_activation_backward(grads["dA" + str(l + 2)], current_cache'),
    ('grads["dA" + str(l)] = dA_prev_temp\n', 'grads["dA" + str(l + 1)] = dA_prev_temp\n'),
])

# Older versions: update_parameters(parameters, grads, learning_rate) changes its input.
OLD_MUTATING_UPDATE = fill(SOLUTION["update_parameters"], [
    ("def update_parameters(params, grads, learning_rate):", "def update_parameters(parameters, grads, learning_rate):"),
    ("    parameters = copy.deepcopy(params)\n", ""),
])


def function_cell_id(name: str) -> str:
    """Id of the cell that defines the function ``name``."""
    return f"def-{name}"


def public_test_cell_id(name: str) -> str:
    """Id of the cell that calls the public test of ``name``."""
    return f"test-{name}"


IMPORTS_CELL_ID = "imports"

_IMPORTS = """import numpy as np
import matplotlib.pyplot as plt
import copy
from testCases import *
from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward
from public_tests import *

%matplotlib inline
plt.rcParams['figure.figsize'] = (5.0, 4.0) # set default size of plots
plt.rcParams['image.interpolation'] = 'nearest'
plt.rcParams['image.cmap'] = 'gray'

%load_ext autoreload
%autoreload 2

np.random.seed(1)"""

_TESTS = {
    "initialize_parameters": """parameters = initialize_parameters(3,2,1)

print("W1 = " + str(parameters["W1"]))
print("b1 = " + str(parameters["b1"]))
print("W2 = " + str(parameters["W2"]))
print("b2 = " + str(parameters["b2"]))

initialize_parameters_test(initialize_parameters)""",
    "initialize_parameters_deep": """parameters = initialize_parameters_deep([5,4,3])

print("W1 = " + str(parameters["W1"]))
print("b1 = " + str(parameters["b1"]))
print("W2 = " + str(parameters["W2"]))
print("b2 = " + str(parameters["b2"]))

initialize_parameters_deep_test(initialize_parameters_deep)""",
    "linear_forward": """t_A, t_W, t_b = linear_forward_test_case()
t_Z, t_linear_cache = linear_forward(t_A, t_W, t_b)
print("Z = " + str(t_Z))

linear_forward_test(linear_forward)""",
    "linear_activation_forward": """t_A_prev, t_W, t_b = linear_activation_forward_test_case()

t_A, t_linear_activation_cache = linear_activation_forward(t_A_prev, t_W, t_b, activation = "sigmoid")
print("With sigmoid: A = " + str(t_A))

t_A, t_linear_activation_cache = linear_activation_forward(t_A_prev, t_W, t_b, activation = "relu")
print("With ReLU: A = " + str(t_A))

linear_activation_forward_test(linear_activation_forward)""",
    "L_model_forward": """t_X, t_parameters = L_model_forward_test_case_2hidden()
t_AL, t_caches = L_model_forward(t_X, t_parameters)

print("AL = " + str(t_AL))

L_model_forward_test(L_model_forward)""",
    "compute_cost": """t_Y, t_AL = compute_cost_test_case()
t_cost = compute_cost(t_AL, t_Y)

print("Cost: " + str(t_cost))

compute_cost_test(compute_cost)""",
    "linear_backward": """t_dZ, t_linear_cache = linear_backward_test_case()
t_dA_prev, t_dW, t_db = linear_backward(t_dZ, t_linear_cache)

print("dA_prev: " + str(t_dA_prev))
print("dW: " + str(t_dW))
print("db: " + str(t_db))

linear_backward_test(linear_backward)""",
    "linear_activation_backward": """t_dAL, t_linear_activation_cache = linear_activation_backward_test_case()

t_dA_prev, t_dW, t_db = linear_activation_backward(t_dAL, t_linear_activation_cache, activation = "sigmoid")
print("With sigmoid: dA_prev = " + str(t_dA_prev))
print("With sigmoid: dW = " + str(t_dW))
print("With sigmoid: db = " + str(t_db))

t_dA_prev, t_dW, t_db = linear_activation_backward(t_dAL, t_linear_activation_cache, activation = "relu")
print("With relu: dA_prev = " + str(t_dA_prev))
print("With relu: dW = " + str(t_dW))
print("With relu: db = " + str(t_db))

linear_activation_backward_test(linear_activation_backward)""",
    "L_model_backward": """t_AL, t_Y_assess, t_caches = L_model_backward_test_case()
grads = L_model_backward(t_AL, t_Y_assess, t_caches)

print("dA0 = " + str(grads['dA0']) if 'dA0' in grads else "dA1 = " + str(grads.get('dA1')))
print("dW1 = " + str(grads['dW1']))
print("db1 = " + str(grads['db1']))

L_model_backward_test(L_model_backward)""",
    "update_parameters": """t_parameters, grads = update_parameters_test_case()
t_parameters = update_parameters(t_parameters, grads, 0.1)

print ("W1 = "+ str(t_parameters["W1"]))
print ("b1 = "+ str(t_parameters["b1"]))
print ("W2 = "+ str(t_parameters["W2"]))
print ("b2 = "+ str(t_parameters["b2"]))

update_parameters_test(update_parameters)""",
}

_MARKDOWN = {
    "initialize_parameters": r"""## 3 - Initialization

### Exercise 1 - initialize_parameters
Create and initialize the parameters of the 2-layer neural network: LINEAR -> RELU -> LINEAR -> SIGMOID.
Use `np.random.randn(shape) * 0.01` for the weights and `np.zeros(shape)` for the biases.""",
    "initialize_parameters_deep": r"""### Exercise 2 - initialize_parameters_deep
Implement initialization for an L-layer neural network. `layer_dims` holds the size of every layer:
$W^{[l]}$ has shape `(layer_dims[l], layer_dims[l-1])` and $b^{[l]}$ `(layer_dims[l], 1)`.""",
    "linear_forward": r"""## 4 - Forward Propagation Module

### Exercise 3 - linear_forward
Build the linear part of forward propagation: $Z^{[l]} = W^{[l]}A^{[l-1]} +b^{[l]}$ (use `np.dot()`).""",
    "linear_activation_forward": r"""### Exercise 4 - linear_activation_forward
Implement the forward propagation of the LINEAR->ACTIVATION layer: $A^{[l]} = g(Z^{[l]})$ where $g$ is
`sigmoid()` or `relu()` from `dnn_utils`; both return `(A, activation_cache)`.""",
    "L_model_forward": r"""### Exercise 5 - L_model_forward
Implement the forward propagation of the whole model: `linear_activation_forward` with RELU $L-1$ times,
then with SIGMOID, appending every cache to the `caches` list.""",
    "compute_cost": r"""## 5 - Cost Function

### Exercise 6 - compute_cost
Compute the cross-entropy cost $J = -\frac{1}{m} \sum\limits_{i = 1}^{m} (y^{(i)}\log\left(a^{[L] (i)}\right) + (1-y^{(i)})\log\left(1- a^{[L](i)}\right))$.""",
    "linear_backward": r"""## 6 - Backward Propagation Module

### Exercise 7 - linear_backward
Given $dZ^{[l]}$, compute $dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1] T}$,
$db^{[l]} = \frac{1}{m} \sum_{i = 1}^{m} dZ^{[l](i)}$ and $dA^{[l-1]} = W^{[l] T} dZ^{[l]}$.""",
    "linear_activation_backward": r"""### Exercise 8 - linear_activation_backward
Implement the backward propagation of the LINEAR->ACTIVATION layer with `relu_backward` or
`sigmoid_backward` from `dnn_utils`, then `linear_backward`.""",
    "L_model_backward": r"""### Exercise 9 - L_model_backward
Implement the backward propagation of the whole model. Initialize with
`dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))`, back-propagate the SIGMOID layer, then the
RELU layers in reverse order, storing `grads["dA" + str(l)]`, `grads["dW" + str(l + 1)]` and `grads["db" + str(l + 1)]`.""",
    "update_parameters": r"""## 7 - Update Parameters

### Exercise 10 - update_parameters
Update the parameters with gradient descent: $W^{[l]} = W^{[l]} - \alpha \text{ } dW^{[l]}$,
$b^{[l]} = b^{[l]} - \alpha \text{ } db^{[l]}$.""",
}


def _layout() -> tuple[tuple[str, str, str], ...]:
    cells = [
        ("intro", "markdown", """# Building your Deep Neural Network: Step by Step

In this notebook you implement all the functions required to build a deep neural network:
initialization, the forward and backward passes of a LINEAR -> ACTIVATION layer and of an
L-layer model, the cost and the parameter update."""),
        ("packages-md", "markdown", "## 1 - Packages\n\nRun the cell below to import what you need."),
        (IMPORTS_CELL_ID, "code", _IMPORTS),
        ("outline-md", "markdown", """## 2 - Outline

Every forward function stores a cache: `(A_prev, W, b)` for a linear step, and
`(linear_cache, activation_cache)` for a LINEAR -> ACTIVATION layer, which the backward
functions read back."""),
    ]
    for name in GRADED_FUNCTIONS:
        cells += [(f"{name}-md", "markdown", _MARKDOWN[name]),
                  (function_cell_id(name), "function", name),
                  (public_test_cell_id(name), "code", _TESTS[name])]
    cells.append(("conclusion-md", "markdown", "## Congratulations!\n\nYou have implemented every function a deep network needs."))
    return tuple(cells)


_LAYOUT = _layout()


def build_notebook(functions: Mapping[str, str]) -> nbformat.NotebookNode:
    """The assignment notebook with the given function-cell code (see GRADED_FUNCTIONS).

    Raises:
        KeyError: ``functions`` lacks one of GRADED_FUNCTIONS.
    """
    return build(_LAYOUT, functions)


def samples() -> dict[str, nbformat.NotebookNode]:
    """The sample submissions shipped in ``samples/``, keyed by file stem.

    - correct: all ten functions correct.
    - starter: the unmodified starter notebook.
    - old_dA_convention: L_model_backward keys layer l's input gradient dA{l}, as older
      versions of the notebook did; otherwise correct.
    - old_mutating_update: update_parameters(parameters, ...) changes its input dict, as
      older versions did; otherwise correct.
    """
    return {
        "correct": build_notebook(SOLUTION),
        "starter": build_notebook(STARTER),
        "old_dA_convention": build_notebook(with_changes(SOLUTION, L_model_backward=OLD_DA_CONVENTION)),
        "old_mutating_update": build_notebook(with_changes(SOLUTION, update_parameters=OLD_MUTATING_UPDATE)),
    }


def write_all(out_dir: Path) -> list[Path]:
    """Write the starter notebook and the samples under ``out_dir``; returns the paths, starter first."""
    return write_assignment(out_dir, STARTER_FILENAME, build_notebook(STARTER), samples())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``build_notebooks.py [OUT_DIR]``."""
    return _main(argv, write_all, __file__)


if __name__ == "__main__":
    sys.exit(main())
