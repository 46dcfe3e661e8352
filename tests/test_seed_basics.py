"""The first examples of the seed guide print exactly what TF prints."""

import numpy as np

import eagerkit as tf


def test_executing_eagerly():
    assert tf.executing_eagerly() is True


def test_hello_matmul(capsys):
    x = [[2.0]]
    m = tf.matmul(x, x)
    print(f"hello, {m}")
    assert capsys.readouterr().out == "hello, [[4.]]\n"


def test_constant_printing_and_broadcast(capsys):
    a = tf.constant([[1, 2], [3, 4]])
    print(a)
    b = tf.add(a, 1)
    print(b)
    print(a * b)
    c = np.multiply(a, b)
    print(c)
    print(a.numpy())
    out = capsys.readouterr().out
    assert out == (
        "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)\n"
        "tf.Tensor(\n[[2 3]\n [4 5]], shape=(2, 2), dtype=int32)\n"
        "tf.Tensor(\n[[ 2  6]\n [12 20]], shape=(2, 2), dtype=int32)\n"
        "[[ 2  6]\n [12 20]]\n"
        "[[1 2]\n [3 4]]\n"
    )
    assert isinstance(c, np.ndarray)


def test_gradient_of_square(capsys):
    w = tf.Variable([[1.0]])
    with tf.GradientTape() as tape:
        loss = w * w
    grad = tape.gradient(loss, w)
    print(grad)
    assert capsys.readouterr().out == "tf.Tensor([[2.]], shape=(1, 1), dtype=float32)\n"


def test_fizzbuzz(capsys):
    def fizzbuzz(max_num):
        counter = tf.constant(0)
        max_num = tf.convert_to_tensor(max_num)
        for num in range(1, max_num.numpy() + 1):
            num = tf.constant(num)
            if int(num % 3) == 0 and int(num % 5) == 0:
                print("FizzBuzz")
            elif int(num % 3) == 0:
                print("Fizz")
            elif int(num % 5) == 0:
                print("Buzz")
            else:
                print(num.numpy())
            counter += 1

    fizzbuzz(15)
    assert capsys.readouterr().out.split() == "1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz".split()


def test_variable_repr():
    x = tf.Variable(10.0)
    x.assign(2.0)
    assert repr(x) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=2.0>"
