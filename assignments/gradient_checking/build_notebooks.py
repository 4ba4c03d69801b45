"""Build the Gradient Checking starter notebook and its sample submissions.

This script is the source of truth for every notebook of the assignment; the .ipynb
files next to it are generated and committed. Run

    python assignments/gradient_checking/build_notebooks.py [OUT_DIR]

to write OUT_DIR/Gradient_Checking.ipynb and OUT_DIR/samples/*.ipynb (OUT_DIR defaults
to this script's folder). Output is deterministic: cell ids are fixed and nbformat writes
sorted keys, so regenerating produces byte-identical files.

The notebook mirrors the Deep Learning Specialization's "Gradient Checking" notebook
(course 2, week 1): the same function names and signatures, the same imports, the same
test-cell calls, and the same two bugs shipped in backward_propagation_n
(dW2 multiplied by 2, db1 computed with 4. / m). Students fill forward_propagation,
backward_propagation, gradient_check and gradient_check_n; forward_propagation_n and
backward_propagation_n are provided complete, as in the original.

tests/fixtures/gradient_checking/build_fixtures.py imports this file by path and reuses
STARTER, SOLUTION, build_notebook and replace_once to derive one-bug variants.
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
from assignments._notebook_builder import build, with_changes  # noqa: E402

# The functions the grader grades, in notebook order.
GRADED_FUNCTIONS = (
    "forward_propagation",
    "backward_propagation",
    "gradient_check",
    "forward_propagation_n",
    "backward_propagation_n",
    "gradient_check_n",
)

STARTER_FILENAME = "Gradient_Checking.ipynb"



# ---------------------------------------------------------------------------
# Code of the function cells, as shipped to students
# ---------------------------------------------------------------------------

_FORWARD_PROPAGATION = r'''# GRADED FUNCTION: forward_propagation

def forward_propagation(x, theta):
    """
    Implement the linear forward propagation (compute J) of the 1-dimensional example: J(theta) = theta * x

    Arguments:
    x -- a real-valued input
    theta -- our parameter, a real number as well

    Returns:
    J -- the value of function J, computed using the formula J(theta) = theta * x
    """
    # (approx. 1 line)
    # J =
    # YOUR CODE STARTS HERE
    J = None
    # YOUR CODE ENDS HERE

    return J
'''

_BACKWARD_PROPAGATION = r'''# GRADED FUNCTION: backward_propagation

def backward_propagation(x, theta):
    """
    Compute the derivative of J with respect to theta for J(theta) = theta * x.

    Arguments:
    x -- a real-valued input
    theta -- our parameter, a real number as well

    Returns:
    dtheta -- the gradient of the cost with respect to theta
    """
    # (approx. 1 line)
    # dtheta =
    # YOUR CODE STARTS HERE
    dtheta = None
    # YOUR CODE ENDS HERE

    return dtheta
'''

_GRADIENT_CHECK = r'''# GRADED FUNCTION: gradient_check

def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    """
    Implement gradient checking for the 1-dimensional example.

    Arguments:
    x -- a float input
    theta -- our parameter, a float as well
    epsilon -- tiny shift to the input to compute approximated gradient with formula (1)
    print_msg -- if True, print whether the backward propagation looks correct

    Returns:
    difference -- difference (2) between the approximated gradient and the backward propagation gradient. Float output
    """
    # Compute gradapprox using the right side of formula (1). epsilon is small enough, you don't need to worry about the limit.
    # (approx. 5 lines)
    # theta_plus =                                 # Step 1
    # theta_minus =                                # Step 2
    # J_plus =                                     # Step 3
    # J_minus =                                    # Step 4
    # gradapprox =                                 # Step 5
    # YOUR CODE STARTS HERE
    theta_plus = None
    theta_minus = None
    J_plus = None
    J_minus = None
    gradapprox = None
    # YOUR CODE ENDS HERE

    # Check if gradapprox is close enough to the output of backward_propagation()
    # (approx. 1 line) DO NOT USE "grad = gradapprox"
    # grad =
    # YOUR CODE STARTS HERE
    grad = None
    # YOUR CODE ENDS HERE

    # (approx. 3 lines)
    # numerator =                                  # Step 1'
    # denominator =                                # Step 2'
    # difference =                                 # Step 3'
    # YOUR CODE STARTS HERE
    numerator = None
    denominator = None
    difference = None
    # YOUR CODE ENDS HERE

    if print_msg:
        if difference > 2e-7:
            print ("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
        else:
            print ("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference
'''

_FORWARD_PROPAGATION_N = r'''def forward_propagation_n(X, Y, parameters):
    """
    Implement the forward propagation (and compute the cost) of the 3-layer network.

    Arguments:
    X -- training set for m examples, of shape (4, m)
    Y -- labels for m examples, of shape (1, m)
    parameters -- python dictionary containing your parameters "W1", "b1", "W2", "b2", "W3", "b3":
                    W1 -- weight matrix of shape (5, 4)
                    b1 -- bias vector of shape (5, 1)
                    W2 -- weight matrix of shape (3, 5)
                    b2 -- bias vector of shape (3, 1)
                    W3 -- weight matrix of shape (1, 3)
                    b3 -- bias vector of shape (1, 1)

    Returns:
    cost -- the cost function (logistic cost for m examples)
    cache -- a tuple with the intermediate values (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    """

    # retrieve parameters
    m = X.shape[1]
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    # Cost
    log_probs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(log_probs)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)

    return cost, cache
'''

# The correct backward pass; the shipped version below is derived from it.
_BACKWARD_PROPAGATION_N_CORRECT = r'''def backward_propagation_n(X, Y, cache):
    """
    Implement the backward propagation of the 3-layer network.

    Arguments:
    X -- input datapoints, of shape (input size, m)
    Y -- true "labels", of shape (1, m)
    cache -- cache output from forward_propagation_n()

    Returns:
    gradients -- A dictionary with the gradients of the cost with respect to each parameter, activation and pre-activation variables.
    """

    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients
'''

# The two bugs the original notebook ships, for students to find with gradient checking.
SHIPPED_BUGS = (
    ("    dW2 = 1. / m * np.dot(dZ2, A1.T)\n", "    dW2 = 1. / m * np.dot(dZ2, A1.T) * 2\n"),
    ("    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)\n", "    db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)\n"),
)


def _with_shipped_bugs(code: str) -> str:
    for old, new in SHIPPED_BUGS:
        code = replace_once(code, old, new)
    return code


_GRADIENT_CHECK_N = r'''# GRADED FUNCTION: gradient_check_n

def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """
    Checks if backward_propagation_n computes correctly the gradient of the cost output by forward_propagation_n

    Arguments:
    parameters -- python dictionary containing your parameters "W1", "b1", "W2", "b2", "W3", "b3"
    gradients -- output of backward_propagation_n, contains gradients of the cost with respect to the parameters
    X -- input datapoints, of shape (input size, m)
    Y -- true "labels", of shape (1, m)
    epsilon -- tiny shift to the input to compute approximated gradient with formula (1)
    print_msg -- if True, print whether the backward propagation looks correct

    Returns:
    difference -- difference (2) between the approximated gradient and the backward propagation gradient
    """

    # Set-up variables
    parameters_values, _ = dictionary_to_vector(parameters)

    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    # Compute gradapprox
    for i in range(num_parameters):

        # Compute J_plus[i]. Inputs: "parameters_values, epsilon". Output = "J_plus[i]".
        # "_" is used because the function you have outputs two parameters but we only care about the first one
        # (approx. 3 lines)
        # theta_plus =                                        # Step 1
        # theta_plus[i] =                                     # Step 2
        # J_plus[i], _ =                                      # Step 3
        # YOUR CODE STARTS HERE
        theta_plus = None
        theta_plus[i] = None
        J_plus[i], _ = None
        # YOUR CODE ENDS HERE

        # Compute J_minus[i]. Inputs: "parameters_values, epsilon". Output = "J_minus[i]".
        # (approx. 3 lines)
        # theta_minus =                                       # Step 1
        # theta_minus[i] =                                    # Step 2
        # J_minus[i], _ =                                     # Step 3
        # YOUR CODE STARTS HERE
        theta_minus = None
        theta_minus[i] = None
        J_minus[i], _ = None
        # YOUR CODE ENDS HERE

        # Compute gradapprox[i]
        # (approx. 1 line)
        # gradapprox[i] =
        # YOUR CODE STARTS HERE
        gradapprox[i] = None
        # YOUR CODE ENDS HERE

    # Compare gradapprox to backward propagation gradients by computing difference.
    # (approx. 3 lines)
    # numerator =                                             # Step 1'
    # denominator =                                           # Step 2'
    # difference =                                            # Step 3'
    # YOUR CODE STARTS HERE
    numerator = None
    denominator = None
    difference = None
    # YOUR CODE ENDS HERE

    if print_msg:
        if difference > 2e-7:
            print ("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
        else:
            print ("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference
'''

# Function-cell code of the unmodified starter notebook.
STARTER: Mapping[str, str] = {
    "forward_propagation": _FORWARD_PROPAGATION,
    "backward_propagation": _BACKWARD_PROPAGATION,
    "gradient_check": _GRADIENT_CHECK,
    "forward_propagation_n": _FORWARD_PROPAGATION_N,
    "backward_propagation_n": _with_shipped_bugs(_BACKWARD_PROPAGATION_N_CORRECT),
    "gradient_check_n": _GRADIENT_CHECK_N,
}

# ---------------------------------------------------------------------------
# Correct solutions: the starter with the YOUR CODE blocks filled in and the
# two shipped bugs fixed, so a solution differs from the starter only there.
# ---------------------------------------------------------------------------


def _fill(code: str, blocks: tuple[tuple[str, str], ...]) -> str:
    for placeholder, answer in blocks:
        code = replace_once(code, placeholder, answer)
    return code


SOLUTION: Mapping[str, str] = {
    "forward_propagation": _fill(_FORWARD_PROPAGATION, (
        ("    J = None\n", "    J = theta * x\n"),
    )),
    "backward_propagation": _fill(_BACKWARD_PROPAGATION, (
        ("    dtheta = None\n", "    dtheta = x\n"),
    )),
    "gradient_check": _fill(_GRADIENT_CHECK, (
        (
            "    theta_plus = None\n"
            "    theta_minus = None\n"
            "    J_plus = None\n"
            "    J_minus = None\n"
            "    gradapprox = None\n",
            "    theta_plus = theta + epsilon\n"
            "    theta_minus = theta - epsilon\n"
            "    J_plus = forward_propagation(x, theta_plus)\n"
            "    J_minus = forward_propagation(x, theta_minus)\n"
            "    gradapprox = (J_plus - J_minus) / (2 * epsilon)\n",
        ),
        ("    grad = None\n", "    grad = backward_propagation(x, theta)\n"),
        (
            "    numerator = None\n"
            "    denominator = None\n"
            "    difference = None\n",
            "    numerator = np.linalg.norm(grad - gradapprox)\n"
            "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
            "    difference = numerator / denominator\n",
        ),
    )),
    "forward_propagation_n": _FORWARD_PROPAGATION_N,
    "backward_propagation_n": _BACKWARD_PROPAGATION_N_CORRECT,
    "gradient_check_n": _fill(_GRADIENT_CHECK_N, (
        (
            "        theta_plus = None\n"
            "        theta_plus[i] = None\n"
            "        J_plus[i], _ = None\n",
            "        theta_plus = np.copy(parameters_values)\n"
            "        theta_plus[i] = theta_plus[i] + epsilon\n"
            "        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))\n",
        ),
        (
            "        theta_minus = None\n"
            "        theta_minus[i] = None\n"
            "        J_minus[i], _ = None\n",
            "        theta_minus = np.copy(parameters_values)\n"
            "        theta_minus[i] = theta_minus[i] - epsilon\n"
            "        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))\n",
        ),
        ("        gradapprox[i] = None\n", "        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)\n"),
        (
            "    numerator = None\n"
            "    denominator = None\n"
            "    difference = None\n",
            "    numerator = np.linalg.norm(grad - gradapprox)\n"
            "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
            "    difference = numerator / denominator\n",
        ),
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
# The last cell that defines a function; fixtures insert "after all definitions" here.
LAST_FUNCTION_CELL_ID = function_cell_id("gradient_check_n")

_IMPORTS = """import numpy as np
from testCases import *
from public_tests import *
from gc_utils import sigmoid, relu, dictionary_to_vector, vector_to_dictionary, gradients_to_vector

%load_ext autoreload
%autoreload 2"""

_TEST_FORWARD_PROPAGATION = """x, theta = 2, 4
J = forward_propagation(x, theta)
print ("J = " + str(J))
forward_propagation_test(forward_propagation)"""

_TEST_BACKWARD_PROPAGATION = """x, theta = 3, 4
dtheta = backward_propagation(x, theta)
print ("dtheta = " + str(dtheta))
backward_propagation_test(backward_propagation)"""

_TEST_GRADIENT_CHECK = """x, theta = 3, 4
difference = gradient_check(x, theta, print_msg=True)
gradient_check_test(gradient_check)"""

_TEST_GRADIENT_CHECK_N = """X, Y, parameters = gradient_check_n_test_case()

cost, cache = forward_propagation_n(X, Y, parameters)
gradients = backward_propagation_n(X, Y, cache)
difference = gradient_check_n(parameters, gradients, X, Y, 1e-7, True)
gradient_check_n_test(gradient_check_n, parameters, gradients, X, Y)"""

# Each entry: (cell id, "markdown" | "code" | "function", text or function name).
_LAYOUT = (
    ("title", "markdown", """# Gradient Checking

In this assignment you will implement gradient checking and use it to find out whether a
backward propagation is right.

Backpropagation is easy to get subtly wrong: a missing factor, a transposed matrix or a
sum over the wrong axis still produces arrays of plausible size, and training may even
appear to work. Gradient checking compares the gradients your backward pass computes
with a numerical estimate obtained from the cost alone, so it catches such mistakes
before they cost you days of debugging.

**After this assignment you will be able to:**

- implement gradient checking for a one-parameter function and for a deep network,
- interpret the relative difference it reports, and
- use it to locate and fix bugs in a backward propagation."""),
    ("packages-md", "markdown", """## 1 - Packages

Run the cell below to import what you need. `gc_utils` provides `sigmoid`, `relu` and the
helpers that turn a dictionary of parameters into a single vector and back."""),
    (IMPORTS_CELL_ID, "code", _IMPORTS),
    ("how-md", "markdown", r"""## 2 - How does gradient checking work?

Backward propagation computes $\frac{\partial J}{\partial \theta}$, the gradient of the cost
$J$ with respect to the parameters $\theta$. Forward propagation is usually much easier to
get right, so we trust the code that computes $J$ and use it to verify the gradient.

By the definition of a derivative,

$$ \frac{\partial J}{\partial \theta} = \lim_{\varepsilon \to 0} \frac{J(\theta + \varepsilon) - J(\theta - \varepsilon)}{2 \varepsilon} \tag{1}$$

With a tiny but finite $\varepsilon$ (say $10^{-7}$) the right-hand side is an accurate
estimate, `gradapprox`. We compare it with the gradient `grad` from backward propagation
through the relative difference

$$ difference = \frac {\| grad - gradapprox \|_2}{\| grad \|_2 + \| gradapprox \|_2 } \tag{2}$$

A difference below about $2 \times 10^{-7}$ means the two agree; a much larger value means
there is a bug in the backward propagation."""),
    ("one-d-md", "markdown", r"""## 3 - 1-Dimensional Gradient Checking

Start with the linear function $J(\theta) = \theta x$, where $\theta$ is a single real
parameter and $x$ an input. You will write the code that computes $J$ (forward
propagation), the code that computes $\frac{\partial J}{\partial \theta}$ (backward
propagation), and then gradient checking to show that the derivative is right.

### Exercise 1 - forward_propagation

Implement `forward_propagation()`: compute $J(\theta) = \theta x$."""),
    (function_cell_id("forward_propagation"), "function", "forward_propagation"),
    (public_test_cell_id("forward_propagation"), "code", _TEST_FORWARD_PROPAGATION),
    ("expected-forward_propagation", "markdown", """**Expected output**:

```
J = 8
 All tests passed.
```"""),
    ("ex2-md", "markdown", r"""### Exercise 2 - backward_propagation

Implement `backward_propagation()`: compute the derivative of $J(\theta) = \theta x$ with
respect to $\theta$, called `dtheta`. Work it out on paper first."""),
    (function_cell_id("backward_propagation"), "function", "backward_propagation"),
    (public_test_cell_id("backward_propagation"), "code", _TEST_BACKWARD_PROPAGATION),
    ("expected-backward_propagation", "markdown", """**Expected output**:

```
dtheta = 3
 All tests passed.
```"""),
    ("ex3-md", "markdown", r"""### Exercise 3 - gradient_check

Implement `gradient_check()` in three steps:

1. Compute `gradapprox` with formula (1):
    1. $\theta^{+} = \theta + \varepsilon$
    2. $\theta^{-} = \theta - \varepsilon$
    3. $J^{+} = J(\theta^{+})$, using `forward_propagation()`
    4. $J^{-} = J(\theta^{-})$, using `forward_propagation()`
    5. $gradapprox = \frac{J^{+} - J^{-}}{2 \varepsilon}$
2. Compute `grad` with `backward_propagation()`.
3. Compute the relative difference with formula (2):
    1. the numerator, with `np.linalg.norm(...)`,
    2. the denominator, calling `np.linalg.norm(...)` twice,
    3. their ratio.

If the difference is below $2 \times 10^{-7}$ your backward propagation is correct;
otherwise there is a mistake in the gradient computation."""),
    (function_cell_id("gradient_check"), "function", "gradient_check"),
    (public_test_cell_id("gradient_check"), "code", _TEST_GRADIENT_CHECK),
    ("expected-gradient_check", "markdown", """**Expected output**:

```
Your backward propagation works perfectly fine! difference = 7.814075313343006e-11
 All tests passed.
```

The difference is tiny: `backward_propagation()` is correct. In a real model the cost is
not this simple; the next part checks the gradients of a three-layer network."""),
    ("n-d-md", "markdown", r"""## 4 - N-Dimensional Gradient Checking

The model below is a three-layer network, LINEAR -> RELU -> LINEAR -> RELU -> LINEAR ->
SIGMOID, with 4 inputs, 5 and 3 hidden units and one output unit. Its cost is the
binary cross-entropy averaged over the $m$ examples.

`forward_propagation_n()` and `backward_propagation_n()` are given to you. Read them; you
will check the second one with gradient checking."""),
    (function_cell_id("forward_propagation_n"), "function", "forward_propagation_n"),
    ("backward-n-md", "markdown", """Here is the backward propagation. It was written in a hurry, so you are not 100% sure
that every gradient it returns is right. Rather than proofreading it line by line, you
will implement gradient checking to verify it."""),
    (function_cell_id("backward_propagation_n"), "function", "backward_propagation_n"),
    ("ex4-md", "markdown", r"""### Exercise 4 - gradient_check_n

Formula (1) still applies, but $\theta$ is no longer a scalar: it is the dictionary
`parameters`. `dictionary_to_vector()` reshapes all parameters into one column vector
`parameters_values` (W1, b1, W2, b2, W3, b3, each flattened), and
`vector_to_dictionary()` turns such a vector back into a dictionary that
`forward_propagation_n()` accepts. `gradients_to_vector()` flattens the gradients
dictionary in the same order.

For each `i` in `range(num_parameters)`:

- To compute `J_plus[i]`:
    1. set $\theta^{+}$ to `np.copy(parameters_values)`,
    2. add $\varepsilon$ to $\theta^{+}_i$,
    3. compute $J^{+}_i$ with `forward_propagation_n(X, Y, vector_to_dictionary(`$\theta^{+}$`))`.
- Compute `J_minus[i]` the same way, with $\theta^{-}$ and $-\varepsilon$.
- Compute $gradapprox[i] = \frac{J^{+}_i - J^{-}_i}{2 \varepsilon}$.

You obtain a vector `gradapprox`, where `gradapprox[i]` approximates the gradient with
respect to `parameters_values[i]`. Compare it with the vector `grad` from backward
propagation using formula (2)."""),
    (function_cell_id("gradient_check_n"), "function", "gradient_check_n"),
    (public_test_cell_id("gradient_check_n"), "code", _TEST_GRADIENT_CHECK_N),
    ("expected-gradient_check_n", "markdown", """**Expected output**:

```
There is a mistake in the backward propagation! difference = 0.2850931567761624
 All tests passed.
```

It seems there were errors in the `backward_propagation_n` code! Good thing you
implemented gradient checking. Go back to `backward_propagation_n` and try to find and
correct the errors. (*Hint: look at dW2 and db1.*) Rerun gradient checking when you think
you have fixed them. Once both are fixed you should see a difference of about
`1.1890913024229996e-07`.

Fixing the bugs is optional: what this assignment grades is your gradient checking
code."""),
    ("remember-md", "markdown", """**What you should remember from this notebook**:

- Gradient checking compares the gradients from backpropagation with numerical
  estimates computed from the forward propagation alone.
- It is slow, so do not run it at every training iteration: use it a few times to make
  sure your gradients are correct, then turn it off.
- It does not work with dropout as is: check the gradients with dropout turned off
  (keep_prob = 1.0), then turn dropout back on."""),
)


def build_notebook(functions: Mapping[str, str]) -> nbformat.NotebookNode:
    """Assemble the assignment notebook with the given function-cell code.

    Args:
        functions: code of the cell defining each name in GRADED_FUNCTIONS
            (e.g. STARTER, SOLUTION, or a copy with one function changed).

    Returns:
        An nbformat v4 notebook with fixed cell ids and a python3 kernelspec.

    Raises:
        KeyError: ``functions`` lacks one of GRADED_FUNCTIONS.
    """
    return build(_LAYOUT, functions)


def samples() -> dict[str, nbformat.NotebookNode]:
    """The sample submissions shipped in ``samples/``, keyed by file stem.

    - correct: all six functions correct, both shipped bugs fixed.
    - starter: the unmodified starter notebook.
    - original_bugs: the four exercises solved, backward_propagation_n as shipped.
    - lazy_gradient_check: gradient_check uses ``grad = x`` instead of calling
      backward_propagation; gradient_check_n compares gradapprox with itself, so it can
      never detect a bug. Everything else correct.
    - forward_bug: forward_propagation_n subtracts b2 (``Z2 = np.dot(W2, A1) - b2``);
      everything else correct. The cost stays finite.
    """
    lazy_gradient_check = replace_once(
        SOLUTION["gradient_check"],
        "    grad = backward_propagation(x, theta)\n",
        "    grad = x\n",
    )
    lazy_gradient_check_n = replace_once(
        SOLUTION["gradient_check_n"],
        "    numerator = np.linalg.norm(grad - gradapprox)\n"
        "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n",
        "    numerator = np.linalg.norm(gradapprox - gradapprox)\n"
        "    denominator = np.linalg.norm(gradapprox) + np.linalg.norm(gradapprox)\n",
    )
    forward_bug = replace_once(
        SOLUTION["forward_propagation_n"],
        "    Z2 = np.dot(W2, A1) + b2\n",
        "    Z2 = np.dot(W2, A1) - b2\n",
    )
    return {
        "correct": build_notebook(SOLUTION),
        "starter": build_notebook(STARTER),
        "original_bugs": build_notebook(with_changes(SOLUTION, backward_propagation_n=STARTER["backward_propagation_n"])),
        "lazy_gradient_check": build_notebook(
            with_changes(SOLUTION, gradient_check=lazy_gradient_check, gradient_check_n=lazy_gradient_check_n)
        ),
        "forward_bug": build_notebook(with_changes(SOLUTION, forward_propagation_n=forward_bug)),
    }


def write_all(out_dir: Path) -> list[Path]:
    """Write the starter notebook and the samples under ``out_dir``; returns the paths, starter first."""
    return write_assignment(out_dir, STARTER_FILENAME, build_notebook(STARTER), samples())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``build_notebooks.py [OUT_DIR]``."""
    return _main(argv, write_all, __file__)


if __name__ == "__main__":
    sys.exit(main())
