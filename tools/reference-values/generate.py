#!/usr/bin/env python3
"""Reference values for the robust-regression losses, computed at high precision with the standard library only.

    python3 tools/reference-values/generate.py [--out PATH]

writes tests/TorchLosses.Tests/Data/robust-references.json (the tests read that file; CI does not run this script).

Every loss is evaluated straight from its definition in `decimal` arithmetic at PRECISION significant digits, at the
exact binary value of each double input (so a test feeding the same double compares against the true value there).
At that precision the cancellations of the plain formulas (√(1 + t) − 1, u^p − 1, (…)/α near α = 0) cost a few dozen
digits of well over a hundred, so no rearranged ("stabilised") form is used anywhere.

Derivatives come from formulas derived by hand (see the comments at each loss) and every one of them is checked in this
script against central differences of the definition, at two step sizes (1e-34 and 1e-30 times the variable's scale:
max(|x|, 1), c, δ or max(|α|, 1)), in `decimal`:
  * the two step sizes must agree with each other, and the derivative formula with them, to CHECK_DIGITS digits;
  * where a value is too small next to the function for the differences to resolve it at the working precision
    (ln cosh'' at x = -354.5 is about 5e-308 next to ln cosh ≈ 354), the check is repeated at higher precision (up to
    27 times as many digits);
  * values below the smallest normal double (1e-308) are stored from the formula without that check (they parse to 0
    or a subnormal) and counted in self_check.unchecked_below_double_range;
  * derivatives in α at α = 0 are differences of the generic formula straddling 0 (the function is analytic there),
    and are also checked with one-sided differences from each side against the limit derivative.
The script stops with an error if any check fails.

Stored numbers are decimal strings with STORED_DIGITS significant digits; α = ±∞ is stored as "inf" / "-inf".
A derivative that does not exist (a kink, α = ±∞, or the logarithmic divergence of ∂ρ/∂α at α = 2) is null, and the row
says why in "note".
"""

import argparse
import decimal
import json
import math
import os
from decimal import Decimal as D

PRECISION = 160          # working precision (significant decimal digits)
STORED_DIGITS = 25       # significant digits written to the JSON
CHECK_DIGITS = 25        # digits the self-checks must reach
ESCALATION = (PRECISION, 3 * PRECISION, 9 * PRECISION, 27 * PRECISION)
DBL_MAX = D("1.7976931348623157e308")
DBL_MIN_NORMAL = D("2.2250738585072014e-308")

ctx = decimal.getcontext()
ctx.prec = PRECISION
ctx.Emax = decimal.MAX_EMAX
ctx.Emin = decimal.MIN_EMIN
ctx.traps[decimal.Overflow] = True
ctx.traps[decimal.InvalidOperation] = True
ctx.traps[decimal.DivisionByZero] = True

ZERO, ONE, TWO, HALF = D(0), D(1), D(2), D("0.5")


def exact(v):
    """The exact value of a double (0.1 is 0.1000000000000000055511151231257827…)."""
    return D(float(v))


def fmt(v):
    """A Decimal as a string of STORED_DIGITS significant digits ("0" for zero)."""
    if v is None:
        return None
    if v == 0:
        return "0"
    return format(+v.normalize(), "." + str(STORED_DIGITS - 1) + "e")


def fmt_input(v):
    """An input as the shortest string that parses back to the same double."""
    if v == math.inf:
        return "inf"
    if v == -math.inf:
        return "-inf"
    return repr(float(v))


class Check:
    """Counts and the worst agreement of the self-checks, per quantity."""

    def __init__(self):
        self.digits = {}       # quantity -> min digits (step sizes agree / formula agrees with differences)
        self.counts = {}
        self.unchecked = {}
        self.zero = {}

    def record(self, name, steps_digits, formula_digits):
        s, f = self.digits.get(name, (math.inf, math.inf))
        self.digits[name] = (min(s, steps_digits), min(f, formula_digits))
        self.counts[name] = self.counts.get(name, 0) + 1

    def skip(self, name):
        self.unchecked[name] = self.unchecked.get(name, 0) + 1

    def exact_zero(self, name):
        self.zero[name] = self.zero.get(name, 0) + 1
        self.counts[name] = self.counts.get(name, 0) + 1

    def summary(self):
        out = {}
        for name in sorted(set(self.counts) | set(self.unchecked)):
            s, f = self.digits.get(name, (None, None))
            out[name] = {
                "checked": self.counts.get(name, 0),
                "of_which_exact_zero": self.zero.get(name, 0),
                "unchecked_below_double_range": self.unchecked.get(name, 0),
                "min_digits_step_sizes_agree": None if s is None else round(s, 1),
                "min_digits_formula_vs_differences": None if f is None else round(f, 1),
            }
        return out


CHECK = Check()


def rel_digits(a, b):
    """-log10 of the relative difference of a and b (inf when equal)."""
    if a == b:
        return math.inf
    m = max(abs(a), abs(b))
    return -float((abs(a - b) / m).log10())


def verify(name, formula, differences, where):
    """Checks a derivative from its formula against central differences of the definition; returns the value to store.

    The formulas are written as products wherever the derivative has zeros (inflection points, x = 0), so an exact
    zero comes out as exactly 0 and is checked as such.

    differences() returns (value at the small step, value at the larger step, noise, magnitude): noise bounds the
    rounding error of the differences at the current precision; magnitude is the largest function value over the
    step scale to the derivative's order (the natural size of the derivative).
    """
    if formula is not None and formula != 0 and abs(formula) < DBL_MIN_NORMAL:
        CHECK.skip(name)
        return formula
    failure = None
    for prec in ESCALATION:
        with decimal.localcontext() as c:
            c.prec = prec
            d1, d2, noise, magnitude = differences()
        if formula == 0:
            # An exact zero (x = 0, a linear piece, an inflection point): the differences must vanish to
            # CHECK_DIGITS digits of the derivative's natural size (function values over step scale), whatever
            # of rounding or O(h²) truncation is left.
            bound = max(noise, magnitude * D(10) ** -CHECK_DIGITS)
            if abs(d1) <= bound and abs(d2) <= bound:
                CHECK.exact_zero(name)
                return ZERO
            raise SystemExit(f"self-check failed: {name} at {where}: formula 0, differences {d1:.3e}, {d2:.3e} "
                             f"(bound {bound:.3e})")
        if noise > abs(formula) * D(10) ** -(CHECK_DIGITS + 5):
            failure = f"differences do not resolve {formula:.3e}"
            continue   # the differences cannot resolve this value here: more digits
        s = rel_digits(d1, d2)
        f = rel_digits(formula, d1)
        if s >= CHECK_DIGITS and f >= CHECK_DIGITS:
            CHECK.record(name, s, f)
            return formula
        # Rounding can be worse than `noise` says (the generic formula at α ± 1e-34 cancels 34 digits first):
        # more digits, and fail if that does not help.
        failure = (f"formula {formula:.30e}, differences {d1:.30e} and {d2:.30e} (step sizes agree to {s:.1f} digits, "
                   f"formula to {f:.1f})")
    raise SystemExit(f"self-check failed: {name} at {where}: {failure} at {ESCALATION[-1]} digits")


def noise_of(values, denominator):
    """Bound on the rounding error of a difference quotient of these function values at the current precision."""
    prec = decimal.getcontext().prec
    m = max(abs(v) for v in values)
    if m == 0:
        return D(10) ** -(prec + 40)
    return m * D(10) ** -(prec - 10) / denominator


def size(values, denominator):
    return max(abs(v) for v in values) / denominator


# Steps: relative to a scale of the variable; two sizes whose truncation errors (∝ h²) are far below 1e-25 relative.
H_SMALL = D("1e-34")
H_LARGE = D("1e-30")


def d1_central(f, x, scale):
    def run():
        out = []
        vals = []
        for h0 in (H_SMALL, H_LARGE):
            h = h0 * scale
            a, b = f(x + h), f(x - h)
            vals += [a, b]
            out.append((a - b) / (2 * h))
        return out[0], out[1], noise_of(vals, 2 * H_SMALL * scale), size(vals, scale)
    return run


def d2_central(f, x, scale):
    def run():
        out = []
        vals = []
        f0 = f(x)
        for h0 in (H_SMALL, H_LARGE):
            h = h0 * scale
            a, b = f(x + h), f(x - h)
            vals += [a, b, f0]
            out.append((a - 2 * f0 + b) / (h * h))
        return out[0], out[1], 4 * noise_of(vals, (H_SMALL * scale) ** 2), size(vals, scale * scale)
    return run


def mixed_central(f, x, y, sx, sy):
    def run():
        out = []
        vals = []
        for h0 in (H_SMALL, H_LARGE):
            h, k = h0 * sx, h0 * sy
            pp, pm, mp, mm = f(x + h, y + k), f(x + h, y - k), f(x - h, y + k), f(x - h, y - k)
            vals += [pp, pm, mp, mm]
            out.append((pp - pm - mp + mm) / (4 * h * k))
        return out[0], out[1], 4 * noise_of(vals, 4 * H_SMALL * H_SMALL * sx * sy), size(vals, sx * sy)
    return run


def too_big(*values):
    return any(v is not None and abs(v) > DBL_MAX for v in values)


X_POINTS = [0.0, 1e-8, -1e-4, 0.1, -0.5, 1.0, -2.0, 3.7, -20.0, 1e3, -1e6]


# ---------------------------------------------------------------------------------------------------------------------
# Pseudo-Huber: ρ = δ²(√(1 + (x/δ)²) − 1).  With w = √(1 + (x/δ)²):
#   ∂ρ/∂x = x / w,   ∂²ρ/∂x² = 1 / w³,   ∂ρ/∂δ = 2δ(w − 1) − x² / (δ w).

def pseudo_huber(x, delta):
    t = x / delta
    return delta * delta * ((ONE + t * t).sqrt() - ONE)


def pseudo_huber_rows():
    rows = []
    for delta_f in (1e-3, 0.5, 1.0, 7.5):
        for x_f in X_POINTS:
            x, delta = exact(x_f), exact(delta_f)
            t = x / delta
            w = (ONE + t * t).sqrt()
            value = pseudo_huber(x, delta)
            dx = x / w
            dxx = ONE / (w * w * w)
            ddelta = 2 * delta * (w - ONE) - x * x / (delta * w)
            where = f"pseudo_huber x={x_f} delta={delta_f}"
            sx = max(abs(x), ONE)
            dx = verify("pseudo_huber.d_x", dx, d1_central(lambda v: pseudo_huber(v, delta), x, sx), where)
            dxx = verify("pseudo_huber.d_xx", dxx, d2_central(lambda v: pseudo_huber(v, delta), x, sx), where)
            ddelta = verify("pseudo_huber.d_delta", ddelta, d1_central(lambda v: pseudo_huber(x, v), delta, delta), where)
            rows.append({"x": fmt_input(x_f), "delta": fmt_input(delta_f), "value": fmt(value), "d_x": fmt(dx),
                         "d_xx": fmt(dxx), "d_delta": fmt(ddelta)})
    return rows


# ---------------------------------------------------------------------------------------------------------------------
# Barron's general loss.  z = (x/c)², s = |α − 2|, σ = sign(α − 2), u = z/s + 1, L = ln u, P = u^{α/2} = exp(αL/2):
#   ρ        = (s/α)(P − 1)
#   ∂ρ/∂x    = (x/c²) u^{α/2 − 1}
#   ∂²ρ/∂x²  = (1/c²) u^{α/2 − 2} (u + σ z)
#   ∂ρ/∂α    = 2σ(P − 1)/α² + (s/α) P (L/2 − α σ z / (2 s² u))
#   ∂²ρ/∂x∂α = ∂ρ/∂x · (L/2 − z / (2 s u))
#   ρ depends on x and c through x/c only, so ∂ρ/∂c = −(x/c) ∂ρ/∂x and
#   ∂²ρ/∂x∂c = −(∂ρ/∂x + x ∂²ρ/∂x²)/c = −(x/c³) u^{α/2 − 2} (2u + σ z).
# Limits: α = 2: ½z; α = 0: ln(½z + 1); α = −∞: 1 − exp(−½z); α = +∞: exp(½z) − 1.
# At α = 0 (s = 2, u = ½z + 1, L = ln u), from the series of (P − 1)/α:
#   ∂ρ/∂α = −L/2 + L²/4 + z/(4u),  ∂²ρ/∂x∂α = ∂ρ/∂x · (L/2 − z/(4u)).
# Near α = 2 with ε = α − 2: ∂ρ/∂α = (z/4)(ln(z/|ε| + 1) − 2) + o(1) and ∂²ρ/∂x∂α ≈ (x/c²)(ln(z/|ε| + 1) − 1)/2:
# both grow without bound as ε → 0 from either side (x ≠ 0), so at α = 2 they are +∞·sign and stored as null.

def general_generic(x, alpha, c):
    """The defining formula, for finite α ∉ {0, 2}."""
    z = (x / c) ** 2
    s = abs(alpha - TWO)
    u = z / s + ONE
    return (s / alpha) * ((alpha / TWO * u.ln()).exp() - ONE)


def general_value(x, alpha, c):
    """ρ including its limits (α is a Decimal or ±inf float)."""
    z = (x / c) ** 2
    if alpha == -math.inf:
        return ONE - (-z / TWO).exp()
    if alpha == math.inf:
        return (z / TWO).exp() - ONE
    if alpha == 0:
        return (z / TWO + ONE).ln()
    if alpha == 2:
        return z / TWO
    return general_generic(x, alpha, c)


def general_derivatives(x, alpha, c):
    """(d_x, d_xx, d_x_c, d_alpha, d_x_alpha) from the formulas above; None where the derivative does not exist.
    d_x_c = -(d_x + x d_xx)/c is written as a product so that its zeros are exact (α = -2, z = 4, for one)."""
    z = (x / c) ** 2
    c2 = c * c
    if alpha in (-math.inf, math.inf):
        sign = ONE if alpha == math.inf else -ONE
        e = (sign * z / TWO).exp()
        return x / c2 * e, e * (ONE + sign * z) / c2, -x / (c2 * c) * e * (TWO + sign * z), None, None
    if alpha == 2:
        dxc = -2 * x / (c2 * c)
        if x == 0:
            return ZERO, ONE / c2, dxc, ZERO, ZERO
        return x / c2, ONE / c2, dxc, None, None
    s = abs(alpha - TWO)
    sigma = ONE if alpha > 2 else -ONE
    u = z / s + ONE
    L = u.ln()
    dx = x / c2 * ((alpha / TWO - ONE) * L).exp()
    dxx = ((alpha / TWO - TWO) * L).exp() * (u + sigma * z) / c2
    dxc = -x / (c2 * c) * ((alpha / TWO - TWO) * L).exp() * (2 * u + sigma * z)
    if alpha == 0:
        dalpha = -L / TWO + L * L / 4 + z / (4 * u)
        dxalpha = dx * (L / TWO - z / (4 * u))
    else:
        P = (alpha / TWO * L).exp()
        dalpha = 2 * sigma * (P - ONE) / (alpha * alpha) + (s / alpha) * P * (L / TWO - alpha * sigma * z / (2 * s * s * u))
        dxalpha = dx * (L / TWO - z / (2 * s * u))
    return dx, dxx, dxc, dalpha, dxalpha


GENERAL_ALPHAS = [-math.inf, -1e3, -10.0, -2.0, -1.0, -0.5, -1e-3, -1e-9, 0.0, 1e-12, 1e-9, 1e-7, 1e-3, 0.25, 0.5, 1.0,
                  1.5, 2 - 1e-3, 2 - 1e-7, 2 - 1e-12, 2.0, 2 + 1e-12, 2 + 1e-7, 2 + 1e-3, 3.0, 4.0, 10.0, math.inf]
GENERAL_SCALES = [0.1, 1.0, 2.5]


def general_rows():
    rows = []
    dropped = []
    for alpha_f in GENERAL_ALPHAS:
        alpha = alpha_f if math.isinf(alpha_f) else exact(alpha_f)
        for c_f in GENERAL_SCALES:
            c = exact(c_f)
            for x_f in X_POINTS:
                x = exact(x_f)
                where = f"general x={x_f} alpha={alpha_f!r} c={c_f}"
                value = general_value(x, alpha, c)
                dx, dxx, dxc, dalpha, dxalpha = general_derivatives(x, alpha, c)
                dc = -(x / c) * dx
                if too_big(value, dx, dxx, dalpha, dxalpha, dc, dxc):
                    dropped.append({"x": fmt_input(x_f), "alpha": fmt_input(alpha_f), "c": fmt_input(c_f)})
                    continue
                sx = max(abs(x), ONE)
                fx = lambda v: general_value(v, alpha, c)
                dx = verify("general.d_x", dx, d1_central(fx, x, sx), where)
                dxx = verify("general.d_xx", dxx, d2_central(fx, x, sx), where)
                dc = verify("general.d_c", dc, d1_central(lambda v: general_value(x, alpha, v), c, c), where)
                dxc = verify("general.d_x_c", dxc, mixed_central(lambda v, w: general_value(v, alpha, w), x, c, sx, c), where)
                note = None
                if math.isinf(alpha_f):
                    note = "alpha is infinite: no derivative in alpha"
                elif alpha_f == 2 and x != 0:
                    note = ("d_alpha and d_x_alpha do not exist at alpha = 2: they grow like (z/4)ln(1/|alpha-2|) and "
                            "(x/c^2)ln(1/|alpha-2|)/2 as alpha -> 2 from either side (+infinity times the sign)")
                else:
                    # Generic formula on both sides, also across α = 0 (analytic there); never evaluated at α = 2.
                    sa = max(abs(alpha), ONE)
                    fa = lambda v: general_generic(x, v, c)
                    dalpha = verify("general.d_alpha", dalpha, d1_central(fa, alpha, sa), where)
                    dxalpha = verify("general.d_x_alpha", dxalpha,
                           mixed_central(lambda v, w: general_generic(v, w, c), x, alpha, sx, sa), where)
                    if alpha == 0:
                        check_one_sided_at_zero(x, c, dalpha, where)
                rows.append({"x": fmt_input(x_f), "alpha": fmt_input(alpha_f), "c": fmt_input(c_f),
                             "value": fmt(value), "d_x": fmt(dx), "d_xx": fmt(dxx), "d_alpha": fmt(dalpha),
                             "d_c": fmt(dc), "d_x_alpha": fmt(dxalpha), "d_x_c": fmt(dxc), "note": note})
    return rows, dropped


def check_one_sided_at_zero(x, c, dalpha, where):
    """Smoothness in α at 0: forward and backward second-order differences of the generic formula, joined to the limit
    value at exactly 0, both equal the limit derivative."""
    if x == 0:
        return
    f0 = general_value(x, ZERO, c)
    for sign in (ONE, -ONE):
        k = sign * D("1e-30")
        f1, f2 = general_generic(x, k, c), general_generic(x, 2 * k, c)
        one_sided = (-3 * f0 + 4 * f1 - f2) / (2 * k)
        digits = rel_digits(one_sided, dalpha)
        if digits < CHECK_DIGITS:
            raise SystemExit(f"self-check failed: one-sided d_alpha at alpha = 0 ({where}): {one_sided:.30e} against "
                             f"{dalpha:.30e}")
        CHECK.record("general.d_alpha_one_sided_at_0", digits, digits)


def general_identities():
    """Closed forms of the named members of the family, at high precision."""
    n = 0
    for c_f in GENERAL_SCALES:
        c = exact(c_f)
        for x_f in X_POINTS:
            x = exact(x_f)
            z = (x / c) ** 2
            pairs = [
                (general_value(x, exact(1.0), c), pseudo_huber(x, c) / (c * c), "alpha=1 is pseudo-Huber(x, c)/c^2"),
                (general_value(x, exact(-2.0), c), 2 * z / (z + 4), "alpha=-2 is Geman-McClure"),
                (general_value(x, exact(4.0), c), z * z / 8 + z / 2, "alpha=4 is z^2/8 + z/2"),
            ]
            for eps in (D("1e-60"), D("-1e-60")):
                pairs.append((general_generic(x, eps, c), general_value(x, ZERO, c), "alpha -> 0"))
            for a, b, what in pairs:
                if a != b and rel_digits(a, b) < 50:
                    raise SystemExit(f"identity failed: {what} at x={x_f}, c={c_f}: {a} vs {b}")
                n += 1
    # α → 2 and α → ±∞ converge slowly (ε ln ε, 1/α): check the trend instead.
    x, c = ONE, ONE
    for eps in (D("1e-40"), D("-1e-40")):
        if rel_digits(general_generic(x, TWO + eps, c), HALF) < 35:
            raise SystemExit("identity failed: alpha -> 2")
        n += 1
    for big in (D("1e40"), D("-1e40")):
        lim = general_value(x, math.inf if big > 0 else -math.inf, c)
        if rel_digits(general_generic(x, big, c), lim) < 35:
            raise SystemExit("identity failed: alpha -> +-inf")
        n += 1
    return n


def alpha_near_two_table():
    """∂ρ/∂α and ∂²ρ/∂x∂α at x = c = 1 for α = 2 ± 10⁻ⁿ (exact decimal offsets), against the asymptote."""
    out = []
    x, c = ONE, ONE
    z = ONE
    for n in (3, 7, 12, 20, 30, 60):
        for sign in (-1, 1):
            eps = sign * D(10) ** -n
            _, _, _, da, dxa = general_derivatives(x, TWO + eps, c)
            # check the formula against differences here too
            sa = D(10) ** -n
            da = verify("general.d_alpha_near_2_table", da, d1_central(lambda v: general_generic(x, v, c), TWO + eps, sa),
                   f"alpha=2{sign:+d}e-{n}")
            asym = z / 4 * ((z / abs(eps) + ONE).ln() - 2)
            out.append({"alpha_minus_2": ("-" if sign < 0 else "") + f"1e-{n}", "d_alpha": fmt(da),
                        "d_x_alpha": fmt(dxa), "asymptote_z_over_4_times_ln_z_over_eps_minus_2": fmt(asym)})
    return out


# ---------------------------------------------------------------------------------------------------------------------
# Balanced L1 (Libra R-CNN; mmdetection's balanced_l1_loss). d = |x|, b = e^{γ/α} − 1:
#   d < β: g(d) = (α/b)(b d + 1) ln(b d/β + 1) − α d
#          g'(d) = α ln(b d/β + 1) + α (b d + 1)/(b d + β) − α
#          g''(d) = α b/(b d + β) + α b (β − 1)/(b d + β)²
#   d ≥ β: g(d) = γ d + γ/b − α β,  g' = γ,  g'' = 0.
# ρ(x) = g(|x|), ρ' = sign(x) g'(|x|), ρ'' = g''(|x|).  g is continuous at β; g' is continuous there only when β = 1,
# g'' never; at x = 0, ρ' exists only when g'(0) = α/β − α = 0, i.e. β = 1 (then ρ'(0) = 0 and ρ''(0) = α b).

def balanced_l1(x, alpha, gamma, beta):
    d = abs(x)
    b = (gamma / alpha).exp() - ONE
    if d < beta:
        return alpha / b * (b * d + ONE) * (b * d / beta + ONE).ln() - alpha * d
    return gamma * d + gamma / b - alpha * beta


def balanced_l1_parts(d, alpha, gamma, beta, inner):
    b = (gamma / alpha).exp() - ONE
    if inner:
        g1 = alpha * (b * d / beta + ONE).ln() + alpha * (b * d + ONE) / (b * d + beta) - alpha
        g2 = alpha * b / (b * d + beta) + alpha * b * (beta - ONE) / (b * d + beta) ** 2
    else:
        g1, g2 = gamma, ZERO
    return g1, g2


def balanced_l1_rows():
    rows = []
    for (a_f, g_f, b_f) in ((0.5, 1.5, 1.0), (1.0, 2.0, 0.5)):
        alpha, gamma, beta = exact(a_f), exact(g_f), exact(b_f)
        xs = X_POINTS + [b_f * (1 - 1e-3), -b_f * (1 + 1e-3)]
        for x_f in xs:
            x = exact(x_f)
            d = abs(x)
            where = f"balanced_l1 x={x_f} alpha={a_f} gamma={g_f} beta={b_f}"
            value = balanced_l1(x, alpha, gamma, beta)
            note = None
            sgn = ONE if x > 0 else (-ONE if x < 0 else ZERO)
            if d == 0:
                g1, g2 = balanced_l1_parts(d, alpha, gamma, beta, True)
                if g1 != 0:
                    dx = dxx = None
                    note = "kink at x = 0 (beta != 1): the one-sided slopes are -+(alpha/beta - alpha)"
                else:
                    dx, dxx = ZERO, g2
            elif d == beta:
                gl1, gl2 = balanced_l1_parts(d, alpha, gamma, beta, True)
                gr1, gr2 = balanced_l1_parts(d, alpha, gamma, beta, False)
                if gl1 == gr1:
                    dx, dxx = sgn * gr1, None
                    note = "|x| = beta: first derivative continuous (beta = 1), second jumps"
                else:
                    dx = dxx = None
                    note = "|x| = beta: first derivative jumps (beta != 1)"
            else:
                g1, g2 = balanced_l1_parts(d, alpha, gamma, beta, d < beta)
                dx, dxx = sgn * g1, g2
            f = lambda v: balanced_l1(v, alpha, gamma, beta)
            # Steps stay far inside a smooth piece (|x| and β are ≥ 1e-8·max(|x|, 1) apart) except at the kinks,
            # where the one-sided derivatives are compared instead (above); x = 0 with β = 1 is smooth to second order.
            sx = max(abs(x), ONE)
            if dx is not None:
                dx = verify("balanced_l1.d_x", dx, d1_central(f, x, sx), where)
            if dxx is not None:
                dxx = verify("balanced_l1.d_xx", dxx, d2_central(f, x, sx), where)
            if d == beta or (d == 0 and dx is None):
                check_kink(f, x, sx, where)
            rows.append({"x": fmt_input(x_f), "alpha": fmt_input(a_f), "gamma": fmt_input(g_f),
                         "beta": fmt_input(b_f), "value": fmt(value), "d_x": fmt(dx), "d_xx": fmt(dxx), "note": note})
    return rows


def check_kink(f, x, sx, where):
    """At a kink, one-sided first (or second) differences from the two sides must differ: that is why they are null."""
    h = H_LARGE * sx
    f0, fp, fm, fpp, fmm = f(x), f(x + h), f(x - h), f(x + 2 * h), f(x - 2 * h)
    right1, left1 = (fp - f0) / h, (f0 - fm) / h
    right2, left2 = (fpp - 2 * fp + f0) / (h * h), (f0 - 2 * fm + fmm) / (h * h)
    if abs(right1 - left1) < D("1e-10") and abs(right2 - left2) < D("1e-10"):
        raise SystemExit(f"self-check failed: expected a kink at {where}")


# ---------------------------------------------------------------------------------------------------------------------
# log-cosh: ρ = ln cosh x, ρ' = tanh x, ρ'' = 1/cosh² x (computed from e^x, no overflow in decimal).

def log_cosh(x):
    return (((x.exp() + (-x).exp()) / TWO)).ln()


def log_cosh_rows():
    rows = []
    xs = [v for v in X_POINTS if abs(v) <= 800] + [50.0, -354.5, 710.0, -711.0, 800.0, -800.0]
    for x_f in xs:
        x = exact(x_f)
        ep, em = x.exp(), (-x).exp()
        cosh = (ep + em) / TWO
        value = cosh.ln()
        dx = (ep - em) / (ep + em)
        dxx = ONE / (cosh * cosh)
        where = f"log_cosh x={x_f}"
        sx = max(abs(x), ONE)
        dx = verify("log_cosh.d_x", dx, d1_central(log_cosh, x, sx), where)
        dxx = verify("log_cosh.d_xx", dxx, d2_central(log_cosh, x, sx), where)
        rows.append({"x": fmt_input(x_f), "value": fmt(value), "d_x": fmt(dx), "d_xx": fmt(dxx)})
    return rows


# ---------------------------------------------------------------------------------------------------------------------

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "tests", "TorchLosses.Tests", "Data", "robust-references.json")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=default_out)
    args = parser.parse_args()

    ph = pseudo_huber_rows()
    gen, dropped = general_rows()
    identities = general_identities()
    near_two = alpha_near_two_table()
    bl1 = balanced_l1_rows()
    lc = log_cosh_rows()

    data = {
        "generator": "tools/reference-values/generate.py",
        "precision_digits": PRECISION,
        "stored_significant_digits": STORED_DIGITS,
        "inputs": "Inputs are the doubles the strings parse to; every value is for those exact binary values.",
        "notes": {
            "null": "A null derivative does not exist there; the row's note says why.",
            "general_alpha_2": "At alpha = 2, d_alpha and d_x_alpha diverge logarithmically (to +infinity times sign "
                               "for d_x_alpha) from both sides for x != 0; they are 0 for x = 0. See "
                               "general_alpha_near_2 for x = c = 1.",
            "general_alpha_0": "The loss is analytic in alpha at 0; d_alpha there is -L/2 + L^2/4 + z/(4u) with "
                               "u = z/2 + 1, L = ln u (checked against differences of the generic formula straddling "
                               "0 and one-sided from each side).",
            "general_dropped": "Points whose value or a derivative exceeds the double range are left out "
                               "(general_dropped lists them).",
            "balanced_l1": "mmdetection's formula: inner branch for |x| < beta, outer for |x| >= beta; b is "
                           "e^(gamma/alpha) - 1 exactly (mmdetection rounds it to a double).",
            "underflow": "Values below the double range are stored exactly; they parse to 0 or a subnormal.",
        },
        "counts": {"pseudo_huber": len(ph), "general": len(gen), "general_dropped": len(dropped),
                   "balanced_l1": len(bl1), "log_cosh": len(lc)},
        "pseudo_huber": ph,
        "general": gen,
        "general_dropped": dropped,
        "general_alpha_near_2": near_two,
        "balanced_l1": bl1,
        "log_cosh": lc,
        "self_check": {"required_digits": CHECK_DIGITS, "closed_form_identities_checked": identities,
                       "quantities": CHECK.summary()},
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=True)
        fh.write("\n")
    print(json.dumps({"counts": data["counts"], "self_check": data["self_check"]}, indent=1))
    print(f"wrote {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
