import binaryen from './binaryen.js';
import { NAMES, type Expr, type FunctionContext, type Temp } from './context.js';
import type { Affine, CountedLoop } from '../analysis/counted-loops.js';
import { inside } from './emit-mem.js';
import { linConstant, type Lin } from '../analysis/linear.js';

/**
 * The guard in front of a counted loop (counted-loops.ts): evaluated once on entry, it
 * decides whether the fast copy may run. Every register it reads still holds its entry
 * value P[r].
 *
 * Its i64 arithmetic wraps exactly like the program's, so each expression it evaluates
 * equals the register value it stands for, bit for bit. Where it needs exact integers it
 * first checks the range: the exit side and bound lie in [0, 2^62] (so the program's
 * unsigned compare is the integer compare), steps and T are below 2^31 (so step * T
 * cannot wrap), and an address inside a region is below 2^32, so its value at T is
 * exact too and every iteration's address lies between the two ends it checks.
 * Sketch:
 *   (local.set $ok (i32.const 0))
 *   (block $guard
 *     (br_if $guard (i64.ne <equality> 0))                   ; derived induction variables
 *     (br_if $guard <step of the wrong sign or >= 2^31>)
 *     (local.set $trips <T: the last iteration that can run>) ; e.g. x < n: ceil((n - x0) / step)
 *     (br_if $guard (i64.ge_u $trips 2^31))
 *     (br_if $guard <x0, x at T or the bound outside [0, 2^62]>) ; the unsigned compare is exact
 *     (br_if $guard (i32.eqz <inside region: the address at t = 0>))  ; per access,
 *     (br_if $guard (i32.eqz <inside region: the address at t = T>))  ; both ends
 *     (br_if $guard (i64.lt_s $fuel (i64.mul $trips charge)))          ; if fuel-free
 *     (local.set $iterations (i32.const 0))
 *     (global.set $fast_loops (i32.add (global.get $fast_loops) 1))    ; a counter for tests and profiles
 *     (local.set $ok (i32.const 1)))
 */

const TWO_31 = 1n << 31n;
const TWO_32 = 1n << 32n;
const TWO_62 = 1n << 62n;

export interface LoopGuard {
  readonly body: Expr;
  /** i32: the fast copy may run. */
  readonly ok: () => Expr;
  /** Back edges the fast copy took, if it counts them instead of charging fuel. */
  readonly iterations: Temp | undefined;
}

export function emitLoopGuard(c: FunctionContext, plan: CountedLoop, label: string): LoopGuard {
  const m = c.m;
  const { i64 } = m;
  const ok = c.temp('i32');
  const trips = c.temp('i64');
  const lin = (l: Lin): Expr => {
    let e: Expr | undefined;
    for (const [r, k] of l.terms) {
      const term = k === 1n ? c.reg(r) : i64.mul(c.reg(r), c.i64(k));
      e = e === undefined ? term : i64.add(e, term);
    }
    if (e === undefined) return c.i64(l.c);
    return l.c === 0n ? e : i64.add(e, c.i64(l.c));
  };
  const at = (a: Affine, t: () => Expr): Expr => i64.add(lin(a.start), i64.mul(lin(a.step), t()));
  const failIf = (cond: Expr) => m.br(label, cond);
  const unless = (cond: Expr) => failIf(m.i32.eqz(cond));
  const inRange = (v: Expr, below: bigint) => i64.lt_u(v, c.i64(below));
  const smallStep = (step: Lin) => inRange(i64.add(lin(step), c.i64(TWO_31)), TWO_32); // |step| < 2^31

  const code: Expr[] = [];
  for (const eq of plan.equalities) code.push(failIf(i64.ne(lin(eq), c.i64(0))));

  const { x, op, bound } = plan.exit;
  const increasing = op === 'lt' || op === 'le' || (op === 'ne' && linConstant(x.step) === 1n);
  // s = |step| >= 1 and d = the distance the exit side still has to go. A constant step
  // was checked by the analysis; one held in a register is checked here.
  const stepConstant = linConstant(x.step);
  const s = () => {
    if (stepConstant !== undefined) return c.i64(increasing ? stepConstant : -stepConstant);
    return increasing ? lin(x.step) : i64.sub(c.i64(0), lin(x.step));
  };
  const d = () => (increasing ? i64.sub(lin(bound), lin(x.start)) : i64.sub(lin(x.start), lin(bound)));
  if (stepConstant === undefined) code.push(unless(m.i32.and(i64.ge_s(s(), c.i64(1)), i64.lt_s(s(), c.i64(TWO_31)))));
  let tripsValue: Expr;
  switch (op) {
    case 'lt': case 'gt': // first t with x reaching the bound: ceil(d / s), 0 if already there
      tripsValue = m.select(i64.gt_s(d(), c.i64(0)), i64.div_s(i64.add(d(), i64.sub(s(), c.i64(1))), s()), c.i64(0));
      break;
    case 'le': case 'ge': // first t with x past the bound: floor(d / s) + 1
      tripsValue = m.select(i64.ge_s(d(), c.i64(0)), i64.add(i64.div_s(d(), s()), c.i64(1)), c.i64(0));
      break;
    case 'ne': // steps of one: exactly d, if the bound is ahead
      code.push(failIf(i64.lt_s(d(), c.i64(0))));
      tripsValue = d();
      break;
  }
  code.push(trips.set(tripsValue), failIf(i64.ge_u(trips.get(), c.i64(TWO_31))));
  code.push(unless(inRange(lin(x.start), TWO_62 + 1n)), unless(inRange(at(x, trips.get), TWO_62 + 1n)), unless(inRange(lin(bound), TWO_62 + 1n)));

  for (const a of plan.accesses) {
    if (linConstant(a.address.step) === undefined) code.push(unless(smallStep(a.address.step)));
    const last = a.afterExitTest
      ? () => m.select(i64.ge_u(trips.get(), c.i64(1)), i64.sub(trips.get(), c.i64(1)), c.i64(0))
      : trips.get;
    code.push(unless(inside(c, a.region, () => lin(a.address.start), 0, a.size)));
    code.push(unless(inside(c, a.region, () => at(a.address, last), 0, a.size)));
  }

  let iterations: Temp | undefined;
  if (plan.fuelFree && c.fuel) {
    iterations = c.temp('i32');
    code.push(failIf(i64.lt_s(c.fuel.get(), i64.mul(trips.get(), c.i64(plan.charge)))));
    code.push(iterations.set(c.i32(0)));
  }
  code.push(m.global.set(NAMES.fastLoops, m.i32.add(m.global.get(NAMES.fastLoops, binaryen.i32), c.i32(1))));
  code.push(ok.set(c.i32(1)));
  const body = m.block(null, [ok.set(c.i32(0)), m.block(label, code)]);
  return { body, ok: ok.get, iterations };
}

/** (local.set $iterations (i32.add $iterations 1)): on the fast copy's back edges. */
export function countIteration(c: FunctionContext, iterations: Temp): Expr {
  return iterations.set(c.m.i32.add(iterations.get(), c.i32(1)));
}

/** (local.set $fuel (i64.sub $fuel (i64.mul (i64.extend_i32_u $iterations) charge))): leaving the fast copy. */
export function chargeIterations(c: FunctionContext, iterations: Temp, charge: number): Expr {
  const fuel = c.fuel!;
  return fuel.set(c.m.i64.sub(fuel.get(), c.m.i64.mul(c.m.i64.extend_u(iterations.get()), c.i64(charge))));
}
