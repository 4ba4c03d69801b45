"""Helpers imported by the Regularization notebook (``from reg_utils import ...``).

Interface-compatible with the ``reg_utils.py`` of the Deep Learning Specialization
(course 2, week 1), so student notebooks written against that file run unchanged: the
3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID (forward pass,
backward pass, cost, update), initialization, prediction, plotting and the 2-D
dataset in ``datasets/data.mat`` (read with scipy.io.loadmat, as the original does).

Plots go through matplotlib; the grader's kernel runs with MPLBACKEND=Agg, so
``plt.show()`` draws nothing and returns at once.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.io


def sigmoid(x):
    """Compute the sigmoid of x (a scalar or numpy array of any size)."""
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Compute max(0, x) element-wise (a scalar or numpy array of any size)."""
    return np.maximum(0, x)


def initialize_parameters(layer_dims):
    """Initialize the weights (randn / sqrt(fan-in), after np.random.seed(3)) and zero biases.

    Args:
        layer_dims: sizes of the layers, e.g. [2, 20, 3, 1].

    Returns:
        dict with "W1", "b1", ..., "WL", "bL"; Wl has shape (layer_dims[l], layer_dims[l-1])
        and bl shape (layer_dims[l], 1).
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def forward_propagation(X, parameters):
    """Forward pass of the 3-layer network without dropout.

    Args:
        X: inputs, shape (n_x, m).
        parameters: dict with "W1", "b1", "W2", "b2", "W3", "b3".

    Returns:
        A3: output, shape (1, m).
        cache: (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3).
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation(X, Y, cache):
    """Backward pass of the 3-layer network without regularization.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        cache: the cache returned by forward_propagation.

    Returns:
        dict with dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
            "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent: W = W - learning_rate * dW, b likewise.

    Args:
        parameters: dict with "W1", "b1", ... (updated in place, as in the original).
        grads: dict with "dW1", "db1", ...
        learning_rate: the step size.

    Returns:
        The updated parameters dict.
    """
    n = len(parameters) // 2
    for k in range(n):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]
    return parameters


def compute_cost(a3, Y):
    """Mean binary cross-entropy of the output a3 against the labels Y, both shape (1, m)."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def predict(X, y, parameters):
    """Predict 0/1 labels for X, print the accuracy against y and return the predictions.

    Args:
        X: inputs, shape (n_x, m).
        y: true labels, shape (1, m).
        parameters: the trained parameters.

    Returns:
        p: predictions, an int array of shape (1, m).
    """
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(int)
    print("Accuracy: " + str(np.mean((p[0, :] == y[0, :]))))
    return p


def predict_dec(parameters, X):
    """Boolean predictions (a3 > 0.5) for X of shape (n_x, m), used for plotting."""
    a3, _ = forward_propagation(X, parameters)
    return a3 > 0.5


def plot_decision_boundary(model, X, y):
    """Plot the regions ``model`` assigns to each class, with the points X coloured by y.

    Args:
        model: maps an (n, 2) array of points to n predictions.
        X: points, shape (2, m).
        y: labels, shape (1, m) or (m,).
    """
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    h = 0.01
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Z = model(np.c_[xx.ravel(), yy.ravel()])
    Z = np.asarray(Z, dtype=float).reshape(xx.shape)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.ylabel("x2")
    plt.xlabel("x1")
    plt.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral)
    plt.show()


def load_2D_dataset():
    """Load the football-field dataset and scatter-plot the training set.

    Returns:
        train_X (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200); labels are 0/1.
    """
    data = scipy.io.loadmat("datasets/data.mat")
    train_X = data["X"].T
    train_Y = data["y"].T
    test_X = data["Xval"].T
    test_Y = data["yval"].T
    plt.scatter(train_X[0, :], train_X[1, :], c=np.ravel(train_Y), s=40, cmap=plt.cm.Spectral)
    return train_X, train_Y, test_X, test_Y
