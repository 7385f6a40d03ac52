#!/usr/bin/env python3
"""Writes trace_golden.json: a trace of the adaptive-threshold rule.

A small network of 12 units (8 adaptive excitatory units, 4 plain
inhibitory units) is updated along a fixed sequence of units, following
the rule in a few lines of Python:

    a = theta + (a - theta) * exp(-(t - last) / tau_theta)
    state = 1 if h > a else 0
    if state == 1: a += theta_q
    last = t

where t counts the steps taken before the update and h = W s is kept up to
date. The Go test replays the sequence with ApplyUpdates and compares the
state changes and the final thresholds. Run: python3 gen_trace.py
"""
import json
import math
import random

rng = random.Random(20261201)
n_e, n_i = 8, 4
n = n_e + n_i
theta_e, theta_i = -0.2, 0.3
theta_q, tau_theta = 0.35, 40.0

# w[post][pre]: excitatory columns positive, inhibitory negative, about
# half the pairs connected, no self-connections.
w = [[0.0] * n for _ in range(n)]
for post in range(n):
    for pre in range(n):
        if pre == post or rng.random() < 0.5:
            continue
        w[post][pre] = 0.125 * rng.randint(1, 4) if pre < n_e else -0.125 * rng.randint(1, 3)
thresholds = [theta_e] * n_e + [theta_i] * n_i
state = [1 if rng.random() < 0.5 else 0 for _ in range(n)]
initial = list(state)
h = [sum(w[i][j] * state[j] for j in range(n)) for i in range(n)]

a = [theta_e] * n_e
last = [0] * n_e
updates = [rng.randrange(n) for _ in range(600)]
deltas = []
for t, u in enumerate(updates):
    if u < n_e:
        a[u] = thresholds[u] + (a[u] - thresholds[u]) * math.exp(-(t - last[u]) / tau_theta)
        new = 1 if h[u] > a[u] else 0
        if new == 1:
            a[u] += theta_q
        last[u] = t
    else:
        new = 1 if h[u] > thresholds[u] else 0
    d = new - state[u]
    state[u] = new
    if d != 0:
        for i in range(n):
            h[i] += d * w[i][u]
    deltas.append(d)

with open("trace_golden.json", "w") as f:
    json.dump({
        "about": "written by gen_trace.py; do not edit",
        "n_e": n_e, "n_i": n_i, "theta_e": theta_e, "theta_i": theta_i,
        "theta_q": theta_q, "tau_theta": tau_theta,
        "weights": w, "initial": initial, "updates": updates, "deltas": deltas,
        "final_state": state, "final_thresholds": a, "final_last": last,
    }, f, indent=0)
print("changes:", sum(1 for d in deltas if d != 0), "of", len(deltas))
