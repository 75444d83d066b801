package org.convexdistill.solver;

/**
 * An optimality certificate for a point U (see {@code solver-spec.md}).
 *
 * <p>With {@code r = Y − Ŷ(U)} and {@code ν = max_g ‖∇_g f(U)‖}, every {@code θ = α·r} with {@code
 * |α|·ν ≤ λ} is dual feasible and {@code D(θ) = (‖Y‖² − ‖θ − Y‖²)/(2m)} is a lower bound on the
 * optimum. The spec's choice is {@code α = min(1, λ/ν)}; the solver takes the best α on that
 * feasible interval (the maximiser of the concave parabola D(α·r), clipped), which is never a
 * weaker bound. Hence {@code F(U) − F* ≤ gap = F(U) − D(θ)}, and gap = 0 at the optimum.
 *
 * @param loss ‖Ŷ − Y‖²/(2m)
 * @param penalty λ·Σ‖U_g‖
 * @param dualValue D(θ)
 * @param subgradientNormSquared squared norm of the minimum-norm subgradient of F at U
 * @param maxGroupGradientNorm ν
 */
public record Certificate(
    double loss,
    double penalty,
    double dualValue,
    double subgradientNormSquared,
    double maxGroupGradientNorm) {

  /** F(U) = loss + penalty. */
  public double objective() {
    return loss + penalty;
  }

  /** F(U) − D(θ) ≥ 0 (up to rounding). */
  public double gap() {
    return objective() - dualValue;
  }

  /** gap / F(U); 0 when F(U) = 0. */
  public double relativeGap() {
    double f = objective();
    return f > 0 ? gap() / f : 0.0;
  }
}
