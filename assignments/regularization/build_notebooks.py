"""Build the Regularization starter notebook and its sample submissions.

This script is the source of truth for every notebook of the assignment; the .ipynb
files next to it are generated and committed. Run

    python assignments/regularization/build_notebooks.py [OUT_DIR]

to write OUT_DIR/Regularization.ipynb and OUT_DIR/samples/*.ipynb (OUT_DIR defaults to
this script's folder). Output is deterministic: cell ids are fixed and nbformat writes
sorted keys, so regenerating produces byte-identical files.

The notebook mirrors the Deep Learning Specialization's "Regularization" notebook
(course 2, week 1): the same imports, the same ``model`` (three trainings of 30,000
iterations each: no regularization, L2 with lambd = 0.7, dropout with keep_prob = 0.86),
the same four graded functions and test-cell calls. The dataset
(``datasets/data.mat``) is our own; see build_dataset.py.

tests/fixtures/regularization/build_fixtures.py imports this file by path and reuses
SOLUTION, build_notebook and replace_once to derive one-bug variants.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # run as a script: this checkout's package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assignments._notebook_builder import KERNELSPEC, LANGUAGE_INFO, SAMPLES_DIRNAME  # noqa: E402,F401
from assignments._notebook_builder import main as _main, replace_once, write_assignment, write_notebook  # noqa: E402,F401
from assignments._notebook_builder import build, with_changes  # noqa: E402,F401

# The functions the grader grades, in notebook order.
GRADED_FUNCTIONS = (
    "compute_cost_with_regularization",
    "backward_propagation_with_regularization",
    "forward_propagation_with_dropout",
    "backward_propagation_with_dropout",
)

STARTER_FILENAME = "Regularization.ipynb"
# Iterations of each training run in the original notebook (model's default).
ITERATIONS = 30000



# ---------------------------------------------------------------------------
# Code of the function cells, as shipped to students
# ---------------------------------------------------------------------------

_COST = r'''# GRADED FUNCTION: compute_cost_with_regularization

def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """
    Implement the cost function with L2 regularization. See formula (2) above.

    Arguments:
    A3 -- post-activation, output of forward propagation, of shape (output size, number of examples)
    Y -- "true" labels vector, of shape (output size, number of examples)
    parameters -- python dictionary containing parameters of the model

    Returns:
    cost - value of the regularized loss function (formula (2))
    """
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y) # This gives you the cross-entropy part of the cost

    #(≈ 1 lines of code)
    # L2_regularization_cost =
    # YOUR CODE STARTS HERE
    L2_regularization_cost = None
    # YOUR CODE ENDS HERE

    cost = cross_entropy_cost + L2_regularization_cost

    return cost
'''

_BACKWARD_L2 = r'''# GRADED FUNCTION: backward_propagation_with_regularization

def backward_propagation_with_regularization(X, Y, cache, lambd):
    """
    Implements the backward propagation of our baseline model to which we added an L2 regularization.

    Arguments:
    X -- input dataset, of shape (input size, number of examples)
    Y -- "true" labels vector, of shape (output size, number of examples)
    cache -- cache output from forward_propagation()
    lambd -- regularization hyperparameter, scalar

    Returns:
    gradients -- A dictionary with the gradients with respect to each parameter, activation and pre-activation variables
    """

    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    #(≈ 1 lines of code)
    # dW3 = 1./m * np.dot(dZ3, A2.T) + None
    # YOUR CODE STARTS HERE
    dW3 = 1./m * np.dot(dZ3, A2.T) + None
    # YOUR CODE ENDS HERE
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    #(≈ 1 lines of code)
    # dW2 = 1./m * np.dot(dZ2, A1.T) + None
    # YOUR CODE STARTS HERE
    dW2 = 1./m * np.dot(dZ2, A1.T) + None
    # YOUR CODE ENDS HERE
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    #(≈ 1 lines of code)
    # dW1 = 1./m * np.dot(dZ1, X.T) + None
    # YOUR CODE STARTS HERE
    dW1 = 1./m * np.dot(dZ1, X.T) + None
    # YOUR CODE ENDS HERE
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,"dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients
'''

_FORWARD_DROPOUT = r'''# GRADED FUNCTION: forward_propagation_with_dropout

def forward_propagation_with_dropout(X, parameters, keep_prob = 0.5):
    """
    Implements the forward propagation: LINEAR -> RELU + DROPOUT -> LINEAR -> RELU + DROPOUT -> LINEAR -> SIGMOID.

    Arguments:
    X -- input dataset, of shape (2, number of examples)
    parameters -- python dictionary containing your parameters "W1", "b1", "W2", "b2", "W3", "b3":
                    W1 -- weight matrix of shape (20, 2)
                    b1 -- bias vector of shape (20, 1)
                    W2 -- weight matrix of shape (3, 20)
                    b2 -- bias vector of shape (3, 1)
                    W3 -- weight matrix of shape (1, 3)
                    b3 -- bias vector of shape (1, 1)
    keep_prob - probability of keeping a neuron active during drop-out, scalar

    Returns:
    A3 -- last activation value, output of the forward propagation, of shape (1,1)
    cache -- tuple, information stored for computing the backward propagation
    """

    np.random.seed(1)

    # retrieve parameters
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    #(≈ 4 lines of code)         # Steps 1-4 below correspond to the Steps 1-4 described above.
    # D1 =                                           # Step 1: initialize matrix D1 = np.random.rand(..., ...)
    # D1 =                                           # Step 2: convert entries of D1 to 0 or 1 (using keep_prob as the threshold)
    # A1 =                                           # Step 3: shut down some neurons of A1
    # A1 =                                           # Step 4: scale the value of neurons that haven't been shut down
    # YOUR CODE STARTS HERE
    D1 = None
    # YOUR CODE ENDS HERE
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    #(≈ 4 lines of code)
    # D2 =                                           # Step 1: initialize matrix D2 = np.random.rand(..., ...)
    # D2 =                                           # Step 2: convert entries of D2 to 0 or 1 (using keep_prob as the threshold)
    # A2 =                                           # Step 3: shut down some neurons of A2
    # A2 =                                           # Step 4: scale the value of neurons that haven't been shut down
    # YOUR CODE STARTS HERE
    D2 = None
    # YOUR CODE ENDS HERE
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)

    return A3, cache
'''

_BACKWARD_DROPOUT = r'''# GRADED FUNCTION: backward_propagation_with_dropout

def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """
    Implements the backward propagation of our baseline model to which we added dropout.

    Arguments:
    X -- input dataset, of shape (2, number of examples)
    Y -- "true" labels vector, of shape (output size, number of examples)
    cache -- cache output from forward_propagation_with_dropout()
    keep_prob - probability of keeping a neuron active during drop-out, scalar

    Returns:
    gradients -- A dictionary with the gradients with respect to each parameter, activation and pre-activation variables
    """

    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1./m * np.dot(dZ3, A2.T)
    db3 = 1./m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    #(≈ 2 lines of code)
    # dA2 =                # Step 1: Apply mask D2 to shut down the same neurons as during the forward propagation
    # dA2 =                # Step 2: Scale the value of neurons that haven't been shut down
    # YOUR CODE STARTS HERE
    dA2 = None
    # YOUR CODE ENDS HERE
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1./m * np.dot(dZ2, A1.T)
    db2 = 1./m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    #(≈ 2 lines of code)
    # dA1 =                # Step 1: Apply mask D1 to shut down the same neurons as during the forward propagation
    # dA1 =                # Step 2: Scale the value of neurons that haven't been shut down
    # YOUR CODE STARTS HERE
    dA1 = None
    # YOUR CODE ENDS HERE
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1./m * np.dot(dZ1, X.T)
    db1 = 1./m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,"dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients
'''

# Function-cell code of the unmodified starter notebook.
STARTER: Mapping[str, str] = {
    "compute_cost_with_regularization": _COST,
    "backward_propagation_with_regularization": _BACKWARD_L2,
    "forward_propagation_with_dropout": _FORWARD_DROPOUT,
    "backward_propagation_with_dropout": _BACKWARD_DROPOUT,
}


def _fill(code: str, blocks: tuple[tuple[str, str], ...]) -> str:
    for placeholder, answer in blocks:
        code = replace_once(code, placeholder, answer)
    return code


_OPEN = "    # YOUR CODE STARTS HERE\n"
_CLOSE = "    # YOUR CODE ENDS HERE\n"

# Correct solutions: the starter with the YOUR CODE blocks filled in, so a solution
# differs from the starter only there.
SOLUTION: Mapping[str, str] = {
    "compute_cost_with_regularization": _fill(_COST, (
        (_OPEN + "    L2_regularization_cost = None\n",
         _OPEN + "    L2_regularization_cost = (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) "
         "+ np.sum(np.square(W3)))\n"),
    )),
    "backward_propagation_with_regularization": _fill(_BACKWARD_L2, (
        (_OPEN + "    dW3 = 1./m * np.dot(dZ3, A2.T) + None\n", _OPEN + "    dW3 = 1./m * np.dot(dZ3, A2.T) + (lambd / m) * W3\n"),
        (_OPEN + "    dW2 = 1./m * np.dot(dZ2, A1.T) + None\n", _OPEN + "    dW2 = 1./m * np.dot(dZ2, A1.T) + (lambd / m) * W2\n"),
        (_OPEN + "    dW1 = 1./m * np.dot(dZ1, X.T) + None\n", _OPEN + "    dW1 = 1./m * np.dot(dZ1, X.T) + (lambd / m) * W1\n"),
    )),
    "forward_propagation_with_dropout": _fill(_FORWARD_DROPOUT, (
        (_OPEN + "    D1 = None\n", _OPEN +
         "    D1 = np.random.rand(A1.shape[0], A1.shape[1])\n"
         "    D1 = (D1 < keep_prob).astype(int)\n"
         "    A1 = A1 * D1\n"
         "    A1 = A1 / keep_prob\n"),
        (_OPEN + "    D2 = None\n", _OPEN +
         "    D2 = np.random.rand(A2.shape[0], A2.shape[1])\n"
         "    D2 = (D2 < keep_prob).astype(int)\n"
         "    A2 = A2 * D2\n"
         "    A2 = A2 / keep_prob\n"),
    )),
    "backward_propagation_with_dropout": _fill(_BACKWARD_DROPOUT, (
        (_OPEN + "    dA2 = None\n", _OPEN + "    dA2 = dA2 * D2\n    dA2 = dA2 / keep_prob\n"),
        (_OPEN + "    dA1 = None\n", _OPEN + "    dA1 = dA1 * D1\n    dA1 = dA1 / keep_prob\n"),
    )),
}


# ---------------------------------------------------------------------------
# Notebook layout
# ---------------------------------------------------------------------------

def function_cell_id(name: str) -> str:
    """Id of the cell that defines the function ``name``."""
    return f"def-{name}"


def public_test_cell_id(name: str) -> str:
    """Id of the cell that calls the public test of ``name``."""
    return f"test-{name}"


IMPORTS_CELL_ID = "imports"
MODEL_CELL_ID = "model"
# The last cell that defines a function; fixtures insert "after all definitions" here.
LAST_FUNCTION_CELL_ID = function_cell_id("backward_propagation_with_dropout")

_IMPORTS = """# import packages
import numpy as np
import matplotlib.pyplot as plt
import sklearn
import sklearn.datasets
import scipy.io
from reg_utils import sigmoid, relu, plot_decision_boundary, initialize_parameters, load_2D_dataset, predict_dec
from reg_utils import compute_cost, predict, forward_propagation, backward_propagation, update_parameters
from testCases import *
from public_tests import *

%matplotlib inline
plt.rcParams['figure.figsize'] = (7.0, 4.0) # set default size of plots
plt.rcParams['image.interpolation'] = 'nearest'
plt.rcParams['image.cmap'] = 'gray'

%load_ext autoreload
%autoreload 2"""

_MODEL = f'''def model(X, Y, learning_rate = 0.3, num_iterations = {ITERATIONS}, print_cost = True, lambd = 0, keep_prob = 1):
    """
    Implements a three-layer neural network: LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID.

    Arguments:
    X -- input data, of shape (input size, number of examples)
    Y -- true "label" vector (1 for blue dot / 0 for red dot), of shape (output size, number of examples)
    learning_rate -- learning rate of the optimization
    num_iterations -- number of iterations of the optimization loop
    print_cost -- If True, print the cost every 10000 iterations
    lambd -- regularization hyperparameter, scalar
    keep_prob - probability of keeping a neuron active during drop-out, scalar.

    Returns:
    parameters -- parameters learned by the model. They can then be used to predict.
    """

    grads = {{}}
    costs = []                            # to keep track of the cost
    m = X.shape[1]                        # number of examples
    layers_dims = [X.shape[0], 20, 3, 1]

    # Initialize parameters dictionary.
    parameters = initialize_parameters(layers_dims)

    # Loop (gradient descent)

    for i in range(0, num_iterations):

        # Forward propagation: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.
        if keep_prob == 1:
            a3, cache = forward_propagation(X, parameters)
        elif keep_prob < 1:
            a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob)

        # Cost function
        if lambd == 0:
            cost = compute_cost(a3, Y)
        else:
            cost = compute_cost_with_regularization(a3, Y, parameters, lambd)

        # Backward propagation.
        assert (lambd == 0 or keep_prob == 1)   # it is possible to use both L2 regularization and dropout,
                                                # but this assignment will only explore one at a time
        if lambd == 0 and keep_prob == 1:
            grads = backward_propagation(X, Y, cache)
        elif lambd != 0:
            grads = backward_propagation_with_regularization(X, Y, cache, lambd)
        elif keep_prob < 1:
            grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)

        # Update parameters.
        parameters = update_parameters(parameters, grads, learning_rate)

        # Print the loss every 10000 iterations
        if print_cost and i % 10000 == 0:
            print("Cost after iteration {{}}: {{}}".format(i, cost))
        if print_cost and i % 1000 == 0:
            costs.append(cost)

    # plot the cost
    plt.plot(costs)
    plt.ylabel('cost')
    plt.xlabel('iterations (x1,000)')
    plt.title("Learning rate =" + str(learning_rate))
    plt.show()

    return parameters'''

_TRAIN = """parameters = model(train_X, train_Y{args})
print ("On the training set:")
predictions_train = predict(train_X, train_Y, parameters)
print ("On the test set:")
predictions_test = predict(test_X, test_Y, parameters)"""

_PLOT = """plt.title("{title}")
axes = plt.gca()
axes.set_xlim([-0.75,0.40])
axes.set_ylim([-0.75,0.65])
plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)"""

_TEST_COST = """A3, t_Y, parameters = compute_cost_with_regularization_test_case()
cost = compute_cost_with_regularization(A3, t_Y, parameters, lambd=0.1)
print("cost = " + str(cost))

compute_cost_with_regularization_test(compute_cost_with_regularization)"""

_TEST_BACKWARD_L2 = """t_X, t_Y, cache = backward_propagation_with_regularization_test_case()

grads = backward_propagation_with_regularization(t_X, t_Y, cache, lambd = 0.7)
print ("dW1 = \\n"+ str(grads["dW1"]))
print ("dW2 = \\n"+ str(grads["dW2"]))
print ("dW3 = \\n"+ str(grads["dW3"]))
backward_propagation_with_regularization_test(backward_propagation_with_regularization)"""

_TEST_FORWARD_DROPOUT = """t_X, parameters = forward_propagation_with_dropout_test_case()

A3, cache = forward_propagation_with_dropout(t_X, parameters, keep_prob=0.7)
print ("A3 = " + str(A3))

forward_propagation_with_dropout_test(forward_propagation_with_dropout)"""

_TEST_BACKWARD_DROPOUT = """t_X, t_Y, cache = backward_propagation_with_dropout_test_case()

gradients = backward_propagation_with_dropout(t_X, t_Y, cache, keep_prob=0.8)

print ("dA1 = \\n" + str(gradients["dA1"]))
print ("dA2 = \\n" + str(gradients["dA2"]))

backward_propagation_with_dropout_test(backward_propagation_with_dropout)"""

# Each entry: (cell id, "markdown" | "code" | "function" | "model", text or function name).
_LAYOUT = (
    ("intro", "markdown", """# Regularization

Deep learning models have so much flexibility and capacity that **overfitting can be a
serious problem** when the training set is not big enough: the model does well on the
training set but does not generalize to examples it has never seen.

**In this assignment you will:** use L2 regularization and dropout in a deep learning model."""),
    ("packages-md", "markdown", "## 1 - Packages\n\nRun the cell below to import what you need."),
    (IMPORTS_CELL_ID, "code", _IMPORTS),
    ("problem-md", "markdown", """## 2 - Problem Statement

You have just been hired as an AI expert by the French Football Corporation. They would like
you to recommend positions where France's goal keeper should kick the ball so that the
French team's players can then hit it with their head. They give you the following 2-D
dataset from France's past 10 games: each dot is a position on the field where a player
hit the ball with their head; blue means a French player did, red an opponent."""),
    ("load-data", "code", "train_X, train_Y, test_X, test_Y = load_2D_dataset()"),
    ("model-md", "markdown", """## 3 - Non-Regularized Model

You will use the following neural network (already implemented for you). It can be used in
*regularization mode*, by setting `lambd` to a non-zero value, and in *dropout mode*, by
setting `keep_prob` to a value less than one. Train it first without any regularization."""),
    (MODEL_CELL_ID, "model", _MODEL),
    ("train-plain", "code", _TRAIN.format(args="")),
    ("plot-plain", "code", _PLOT.format(title="Model without regularization")),
    ("l2-md", "markdown", r"""## 4 - L2 Regularization

The standard way to avoid overfitting is **L2 regularization**. It modifies the cost from

$$J = -\frac{1}{m} \sum\limits_{i = 1}^{m} \large{(}\small  y^{(i)}\log\left(a^{[L](i)}\right) + (1-y^{(i)})\log\left(1- a^{[L](i)}\right) \large{)} \tag{1}$$

to

$$J_{regularized} = \small \underbrace{-\frac{1}{m} \sum\limits_{i = 1}^{m} \large{(}\small y^{(i)}\log\left(a^{[L](i)}\right) + (1-y^{(i)})\log\left(1- a^{[L](i)}\right) \large{)} }_\text{cross-entropy cost} + \underbrace{\frac{1}{m} \frac{\lambda}{2} \sum\limits_l\sum\limits_k\sum\limits_j W_{k,j}^{[l]2} }_\text{L2 regularization cost} \tag{2}$$

### Exercise 1 - compute_cost_with_regularization
Implement `compute_cost_with_regularization()`, which computes the cost given by formula (2).
To calculate $\sum\limits_k\sum\limits_j W_{k,j}^{[l]2}$ use `np.sum(np.square(Wl))`."""),
    (function_cell_id("compute_cost_with_regularization"), "function", "compute_cost_with_regularization"),
    (public_test_cell_id("compute_cost_with_regularization"), "code", _TEST_COST),
    ("backward-l2-md", "markdown", r"""### Exercise 2 - backward_propagation_with_regularization
Implement the changes needed in backward propagation to take regularization into account.
The changes only concern dW1, dW2 and dW3: for each, add the gradient of the
regularization term, $\frac{d}{dW} ( \frac{1}{2}\frac{\lambda}{m}  W^2) = \frac{\lambda}{m} W$."""),
    (function_cell_id("backward_propagation_with_regularization"), "function", "backward_propagation_with_regularization"),
    (public_test_cell_id("backward_propagation_with_regularization"), "code", _TEST_BACKWARD_L2),
    ("train-l2-md", "markdown", "Now run the model with L2 regularization $(\\lambda = 0.7)$."),
    ("train-l2", "code", _TRAIN.format(args=", lambd = 0.7")),
    ("plot-l2", "code", _PLOT.format(title="Model with L2-regularization")),
    ("dropout-md", "markdown", r"""## 5 - Dropout

**Dropout** randomly shuts down some neurons in each iteration: each neuron is kept with
probability `keep_prob`. The remaining activations are divided by `keep_prob` so that the
expected value of the output stays the same (inverted dropout).

### Exercise 3 - forward_propagation_with_dropout
Add dropout to the first and second hidden layers:
1. create a random matrix $D^{[l]}$ of the shape of $A^{[l]}$ with `np.random.rand()`;
2. set each entry to 1 with probability `keep_prob` and to 0 otherwise (`D < keep_prob`);
3. shut down neurons: $A^{[l]} = A^{[l]} * D^{[l]}$;
4. divide $A^{[l]}$ by `keep_prob`."""),
    (function_cell_id("forward_propagation_with_dropout"), "function", "forward_propagation_with_dropout"),
    (public_test_cell_id("forward_propagation_with_dropout"), "code", _TEST_FORWARD_DROPOUT),
    ("backward-dropout-md", "markdown", r"""### Exercise 4 - backward_propagation_with_dropout
Shut down the same neurons in the backward pass, by applying the same masks $D^{[1]}$ and
$D^{[2]}$ to `dA1` and `dA2`, and divide `dA1` and `dA2` by `keep_prob` again (the derivative
of $A^{[l]} / $ `keep_prob` is $dA^{[l]} / $ `keep_prob`)."""),
    (function_cell_id("backward_propagation_with_dropout"), "function", "backward_propagation_with_dropout"),
    (public_test_cell_id("backward_propagation_with_dropout"), "code", _TEST_BACKWARD_DROPOUT),
    ("train-dropout-md", "markdown", "Now run the model with dropout (`keep_prob = 0.86`)."),
    ("train-dropout", "code", _TRAIN.format(args=", keep_prob = 0.86, learning_rate = 0.3")),
    ("plot-dropout", "code", _PLOT.format(title="Model with dropout")),
    ("conclusions-md", "markdown", """## 6 - Conclusions

- Regularization hurts training set performance a little, because it limits the ability of
  the network to overfit the training set; it helps test accuracy.
- L2 regularization and dropout both drive the weights to smaller values.
- Use dropout only during training, and apply it in both the forward and backward passes."""),
)


def build_notebook(functions: Mapping[str, str], *, iterations: int = ITERATIONS) -> nbformat.NotebookNode:
    """Assemble the assignment notebook with the given function-cell code.

    Args:
        functions: code of the cell defining each name in GRADED_FUNCTIONS
            (e.g. STARTER, SOLUTION, or a copy with one function changed).
        iterations: the default num_iterations of ``model`` (the original's 30,000;
            test fixtures use fewer to keep the kernel tests fast).

    Returns:
        An nbformat v4 notebook with fixed cell ids and a python3 kernelspec.

    Raises:
        KeyError: ``functions`` lacks one of GRADED_FUNCTIONS.
    """
    def model(text: str) -> str:
        return replace_once(text, f"num_iterations = {ITERATIONS},", f"num_iterations = {iterations},")

    return build(_LAYOUT, functions, {"model": model})


def samples() -> dict[str, nbformat.NotebookNode]:
    """The sample submissions shipped in ``samples/``, keyed by file stem.

    - correct: all four functions correct.
    - starter: the unmodified starter notebook.
    - l2_only: the two L2 exercises solved, the dropout ones left as shipped.
    """
    return {
        "correct": build_notebook(SOLUTION),
        "starter": build_notebook(STARTER),
        "l2_only": build_notebook(with_changes(
            SOLUTION,
            forward_propagation_with_dropout=STARTER["forward_propagation_with_dropout"],
            backward_propagation_with_dropout=STARTER["backward_propagation_with_dropout"],
        )),
    }


def write_all(out_dir: Path) -> list[Path]:
    """Write the starter notebook and the samples under ``out_dir``; returns the paths, starter first."""
    return write_assignment(out_dir, STARTER_FILENAME, build_notebook(STARTER), samples())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``build_notebooks.py [OUT_DIR]``."""
    return _main(argv, write_all, __file__)


if __name__ == "__main__":
    sys.exit(main())
